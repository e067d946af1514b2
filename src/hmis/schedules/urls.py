from django.urls import path

from hmis.schedules import views

app_name = "schedules"
urlpatterns = [
    path("auto-exits/", views.auto_exits, name="auto_exits"),
]
