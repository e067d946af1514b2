"""Upload plumbing: how large a request may be, refused before Django reads it.

Django spools an uploaded file to disk whatever its size; a multi-gigabyte body would fill the
disk and keep a worker busy. A request declaring more than `HMIS_UPLOAD_MAX_MB` (every upload
form's limit, and the reverse proxy's should be the same or lower) gets 413 at once. Each form
also checks its own, smaller limit (photos 5 MB, card lists 5 MB) and says so beside the field.
"""

from django.conf import settings
from django.http import HttpResponse

MSG_TOO_LARGE = "The upload is larger than {limit} MB, the most this server accepts."


def max_upload_bytes() -> int:
    return settings.HMIS_UPLOAD_MAX_MB << 20


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > max_upload_bytes():
            return HttpResponse(
                MSG_TOO_LARGE.format(limit=settings.HMIS_UPLOAD_MAX_MB),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
