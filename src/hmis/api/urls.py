from django.urls import path

from hmis.api.main import api

urlpatterns = [path("", api.urls)]
