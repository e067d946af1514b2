"""A client's right to inspect their record: the export of everything held on them."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from hmis.accounts.permissions import Perm, requires
from hmis.audit.recording import record_export
from hmis.clients.access import get_client_for_user
from hmis.clients.record_export import client_record


@requires(Perm.EXPORT)
def client_record_download(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's whole record as a JSON file; the export itself is audited."""
    client = get_client_for_user(request.user, client_id)
    with transaction.atomic():
        data = client_record(client=client, user=request.user)
        record_export(request, what=f"Client record export for client {client.pk}", client=client)
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="client-{client.pk}-record.json"'
    response["Cache-Control"] = "no-store"
    return response
