"""/healthz for load balancers and monitors (no sign-in, no data) and /metrics for Prometheus
(only from the addresses in HMIS_METRICS_ALLOWED_IPS)."""

import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache

from hmis.audit.recording import request_address
from hmis.monitoring.health import run_checks
from hmis.monitoring.metrics import render_metrics


@never_cache
def healthz(request):
    checks = run_checks()
    healthy = all(check.ok for check in checks)
    body = {
        "status": "ok" if healthy else "fail",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def address_allowed(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(allowed, strict=False)
        for allowed in settings.HMIS_METRICS_ALLOWED_IPS
    )


@never_cache
def metrics(request):
    if not address_allowed(request_address(request)):
        return HttpResponseForbidden("Metrics are not served to this address.")
    body, content_type = render_metrics()
    return HttpResponse(body, content_type=content_type)
