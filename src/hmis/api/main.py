"""The JSON API of HMIS Batch Services: the same rules and messages as the web desk.

Send `Authorization: Bearer <token>` (made with `hmis create-api-token USERNAME --name NAME`).
Every refusal is JSON {code, message}: `code` is stable, `message` is for people. Lists take
`limit` and `offset` and return {count, items}. Status codes, the same on every operation:
- 200/201 success (201: something was created, e.g. a client added to a batch);
- 401 no token, an unknown or revoked token, or a deactivated user (code "unauthorized");
- 403 the role may not do this (code "forbidden");
- 404 no such object, or not yours to see (code "not_found"): the same answer either way;
- 409 the request conflicts with the record's state (already_added, already_void, not_pending,
  batch_inactive, key_reused, already_enrolled, already_exited);
- 422 the request was understood but refused by a rule (enrollment_required, barred,
  future_date...) or its input is malformed (code "invalid_input", with `errors`);
- 503 the database stayed busy (code "database_busy", on SQLite when an import or many stations
  hold its single write lock): nothing was recorded; send the same request (with the same `key`)
  again after the Retry-After header's seconds.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hmis.api.auth import TokenAuth
from hmis.api.endpoints import batches, casework, catalog, clients, entries, programs, voiding
from hmis.api.errors import status_for_code
from hmis.api.ratelimit import RateLimited
from hmis.database_busy import CODE as DATABASE_BUSY
from hmis.database_busy import MESSAGE as DATABASE_BUSY_MESSAGE
from hmis.database_busy import RETRY_AFTER_SECONDS, is_database_busy, log_busy
from hmis.errors import DomainError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="HMIS Batch Services API",
    version="1",
    description=__doc__,
    auth=TokenAuth(),
    urls_namespace="api",
    # validatorUrl None: Swagger UI would otherwise load a badge from validator.swagger.io.
    # The page's scripts and styles are django-ninja's bundled static files, never a CDN.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/clients", clients.router)
api.add_router("/batches", batches.router)
api.add_router("/batches", entries.router)
api.add_router("/services", voiding.router)
api.add_router("/programs", programs.router)
api.add_router("/catalog", catalog.router)
api.add_router("/clients", casework.clients_router)
api.add_router("/enrollments", casework.enrollments_router)


def error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error(request, status_for_code(exc.code), exc.code, exc.message)


@api.exception_handler(RateLimited)
def on_rate_limited(request, exc: RateLimited):
    response = error(request, 429, exc.code, exc.message)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(OperationalError)
def on_database_error(request, exc: OperationalError):
    if not is_database_busy(exc):
        return on_unexpected(request, exc)
    log_busy(request)
    response = error(request, 503, DATABASE_BUSY, DATABASE_BUSY_MESSAGE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    response = error(
        request, 401, "unauthorized", "Send a valid API token: 'Authorization: Bearer <token>'."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # django-ninja's own refusals, e.g. 400 for a body that is not JSON.
    code = "bad_request" if exc.status_code == 400 else f"http_{exc.status_code}"
    return error(request, exc.status_code, code, exc.message)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, "forbidden", "Your role does not allow this.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(ValidationError)
def on_invalid_input(request, exc: ValidationError):
    return error(
        request, 422, "invalid_input", "The request is not valid; see errors.", errors=exc.errors
    )


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    # Never a stack trace to the caller; the log has it.
    logger.exception("API error on %s %s", request.method, request.path)
    return error(request, 500, "server_error", "Something went wrong on the server; it was logged.")


def operations():
    """Every operation of the API as (methods, path, operation), for tests that check each one
    declares its permission (`operation.view_func.required_permission`) and requires a token.
    Walks the routers as bound to `api` (django-ninja keeps them there; the API is built once)."""
    api.urls  # noqa: B018 (binding happens when the URLs are first built)
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                yield operation.methods, bound.prefix + path, operation
