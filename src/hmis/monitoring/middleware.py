"""Each request gets an id (the proxy's X-Request-ID when it sends a sane one), returned in the
X-Request-ID header and put on every log line with the user's and organization's ids; each
request is counted and timed for /metrics, and logged in one line when HMIS_LOG_REQUESTS is on
(the path without its query string, which may hold a searched name)."""

import logging
import re
import time
import uuid

from django.conf import settings

from hmis.monitoring import context
from hmis.monitoring.metrics import observe_request

logger = logging.getLogger("hmis.requests")
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestMonitoringMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        tokens = [
            context.request_id.set(request_id),
            context.user_id.set(user.pk if signed_in else None),
            context.organization_id.set(user.organization_id if signed_in else None),
        ]
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            view = match.view_name if match else "unmatched"
            observe_request(
                method=request.method, view=view, status=response.status_code, seconds=seconds
            )
            response["X-Request-ID"] = request_id
            if settings.HMIS_LOG_REQUESTS:
                logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(seconds * 1000, 1),
                    },
                )
            return response
        finally:
            for variable, token in zip(
                (context.request_id, context.user_id, context.organization_id), tokens, strict=True
            ):
                variable.reset(token)
