from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("hmis.accounts.urls")),
    path("clients/", include("hmis.clients.urls")),
    path("cards/", include("hmis.clients.card_urls")),
    path("client-rights/", include("hmis.clients.rights_urls")),
    path("services/", include("hmis.services.urls")),
    path("batches/", include("hmis.batches.urls")),
    path("hud-csv/", include("hmis.hudcsv.urls")),
    path("jobs/", include("hmis.jobs.urls")),
    path("schedules/", include("hmis.schedules.urls")),
    path("", include("hmis.monitoring.urls")),
    path("reports/", include("hmis.reports.urls")),
    path("audit/", include("hmis.audit.urls")),
    path("api/", include("hmis.api.urls")),
    path("manage/users/", include("hmis.accounts.manage_urls")),
    path("manage/programs/", include("hmis.projects.manage_urls")),
    path("manage/catalog/", include("hmis.services.manage_urls")),
    path("", include("hmis.pages_urls")),
]

# Uploaded files (client photos) are never served by URL, in any mode: only through views that
# check the user may see the client (clients:photo).
