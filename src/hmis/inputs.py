"""What people type, read safely at the boundary (forms, query strings, API schemas).

Three kinds of input used to crash the server: digits that `str.isdigit()` accepts but `int()`
does not (superscripts such as "²"), numbers too large for a 64-bit column (20 digits), and dates
so early or late that adding a day overflows (0001-01-01, 9999-12-31). Every identifier and date
a user types goes through the helpers here, which refuse those with a message instead.
"""

import re
from datetime import date
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from pydantic import AfterValidator

# ASCII digits only; at most 18 of them, so the value fits a signed 64-bit column.
_ID = re.compile(r"[0-9]{1,18}")
MAX_ID = 10**18 - 1

# Dates anyone has reason to type: birth dates from 1900, plans to 2199. Arithmetic of a few
# years either side stays far from Python's limits (years 1 and 9999).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
DATE_OUT_OF_RANGE = f"Enter a date between {EARLIEST_DATE:%m/%d/%Y} and {LATEST_DATE:%m/%d/%Y}."
# The largest offset a list takes: far beyond any real page, far below an overflow.
MAX_OFFSET = 10**9


def parse_id(text: Any) -> int | None:
    """The integer a user typed as an identifier, or None when it is not one (not ASCII digits,
    or too large for the database)."""
    text = str(text if text is not None else "").strip()
    return int(text) if _ID.fullmatch(text) else None


def date_in_range(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


class DateField(forms.DateField):
    """forms.DateField that refuses dates outside EARLIEST_DATE..LATEST_DATE."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not date_in_range(value):
            raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")


def _refuse_unreadable_ids(field, values) -> None:
    if field.to_field_name is not None:
        return
    for value in values:
        if value in field.empty_values or isinstance(value, field.queryset.model):
            continue
        if parse_id(value) is None:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class ModelChoiceField(forms.ModelChoiceField):
    """forms.ModelChoiceField that refuses an unreadable or overflowing id as an invalid
    choice before it reaches the database."""

    def to_python(self, value):
        _refuse_unreadable_ids(self, [value])
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """forms.ModelMultipleChoiceField with the same check on every id."""

    def _check_values(self, value):
        if isinstance(value, list | tuple):
            _refuse_unreadable_ids(self, value)
        return super()._check_values(value)


def _api_date(value: date) -> date:
    if not date_in_range(value):
        raise ValueError(DATE_OUT_OF_RANGE)
    return value


# A date in an API schema or query: refused with 422 invalid_input outside the range.
ApiDate = Annotated[date, AfterValidator(_api_date)]


MSG_NUL = "The request contains a NUL character (\\x00), which no field accepts."


def _nul_in(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


def _has_nul(request) -> bool:
    if _nul_in(request.GET):
        return True
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return _nul_in(request.POST)
    if content_type == "application/json":
        return b"\\u0000" in request.body
    return False


class RefuseNulCharactersMiddleware:
    """A NUL character has no use in any field, and PostgreSQL refuses it in text (a query with
    one fails with a server error). Refused for every request, before any view: 400 for pages,
    422 `invalid_input` for the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_input", "message": MSG_NUL}, status=422)
            return HttpResponseBadRequest(MSG_NUL, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
