"""The floor a scan is measured against: a bare Django view doing what a scan cannot avoid, one
indexed SELECT of a card and one INSERT, in one transaction. Served beside the app's own URLs
(bench/floor_settings.py)."""

import uuid

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from hmis.batches.models import ScanOutcome
from hmis.clients.models import CommunityCard
from hmis.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def floor(request):
    typed = request.POST.get("typed", "")
    with transaction.atomic():
        client_id = (
            CommunityCard.objects.filter(code=typed, revoked_at__isnull=True)
            .values_list("client_id", flat=True)
            .first()
        )
        ScanOutcome.objects.create(
            key=uuid.uuid4().hex,
            batch_id=int(request.POST["batch"]),
            user_id=int(request.POST["user"]),
            typed=typed,
            code="floor",
            message="",
            ok=client_id is not None,
            client_id=client_id,
        )
    return HttpResponse("ok" if client_id else "unknown", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *app_urlpatterns]
