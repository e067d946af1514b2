"""Fuzzing every form of the route list: each page of tests/security/test_routes.py is opened as
a system administrator of organization A (who sees every form), every form on it (including
htmx `hx-post`/`hx-get` ones) is submitted with each known-bad value in every field at once and
in each field alone, and uploads get garbage files. No response may be a 5xx."""

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hmis.accounts.models import Role
from tests import factories as f
from tests.security.fuzz_values import BAD_VALUES
from tests.security.test_routes import ROUTES, _undeclared_allowed, _values

pytestmark = pytest.mark.django_db

# Signing out would end the session the fuzzer uses; signing in has its own tests (lockouts).
SKIPPED = {"logout", "login"}
PAGES = [r for r in ROUTES if not r.is_api and not _undeclared_allowed(r) and r.name not in SKIPPED]
GARBAGE_FILES = [
    ("garbage.zip", b"PK\x03\x04" + b"\x00" * 64),
    ("garbage.csv", "²,9999999999999999999999\r\n\x00,'\r\n".encode()),
    ("garbage.jpg", b"\xff\xd8\xff" + b"not a jpeg" * 10),
]


class _Forms(HTMLParser):
    """The forms of a page: action, method and fields (name, kind, first option)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("hx-post") or a.get("action") or a.get("hx-get") or ""
            method = "post" if a.get("hx-post") else (a.get("method") or "get").lower()
            self._current = {"action": action, "method": method, "fields": {}}
            self.forms.append(self._current)
            return
        if self._current is None or not a.get("name"):
            if tag == "option" and self._select and self._current is not None:
                self._current["fields"].setdefault(self._select, ("select", a.get("value", "")))
            return
        name = a["name"]
        if tag == "input":
            self._current["fields"][name] = (a.get("type", "text"), a.get("value", ""))
        elif tag == "textarea":
            self._current["fields"][name] = ("textarea", "")
        elif tag == "select":
            self._select = name
        elif tag == "button" and a.get("value"):
            self._current["fields"][name] = ("button", a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def _forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


# Tried in each field alone: the values that overflow numbers and dates, and a very long one.
FOCUSED = ["²", "9" * 20, "-1", "0001-01-01", "9999-12-31", "x" * 5000]
CHOICES = {"select", "checkbox", "radio"}


def _submissions(fields: dict) -> list[dict]:
    """Each bad value in every typed field at once (choices kept valid, so the form gets past
    them), then each field alone with each FOCUSED value; uploads get garbage files."""
    names = [n for n in fields if n != "csrfmiddlewaretoken"]
    files = [n for n in names if fields[n][0] == "file"]
    typed = [n for n in names if n not in files and fields[n][0] not in CHOICES]
    defaults = {n: fields[n][1] for n in names if n not in files}
    submissions = []
    for index, bad in enumerate(BAD_VALUES):
        garbage = GARBAGE_FILES[index % len(GARBAGE_FILES)]
        data = {**defaults, **{n: bad for n in typed}}
        data |= {n: SimpleUploadedFile(*garbage) for n in files}
        submissions.append(data)
    for name in (n for n in names if n not in files):
        submissions.extend({**defaults, name: bad} for bad in FOCUSED)
    return submissions


@pytest.fixture
def admin_of_a(org_a):
    return f.make_user(org_a, Role.SYSTEM_ADMIN, username="fuzz_root", can_override_bars=True)


@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.route)
def test_no_form_answers_5xx_to_bad_values(client, world, admin_of_a, route):
    client.raise_request_exception = False
    client.force_login(admin_of_a)
    page_url = route.url(_values(route, world))
    page = client.get(page_url)
    assert page.status_code < 500, f"GET {page_url} -> {page.status_code}"
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return
    failures = []
    for form in _forms_of(page.content.decode()):
        action = urljoin(page_url, form["action"] or page_url)
        if not action.startswith("/") or "/logout" in action:
            continue
        for data in _submissions(form["fields"]):
            send = client.post if form["method"] == "post" else client.get
            response = send(action, data)
            if response.status_code >= 500:
                shown = {k: (v if isinstance(v, str) else "<file>")[:20] for k, v in data.items()}
                failures.append(f"{form['method'].upper()} {action} {shown} -> 500")
            if len(failures) >= 5:
                break
        if len(failures) >= 5:
            break
    assert failures == []
