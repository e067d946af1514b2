"""Shared personas: staff and a read-only user of organization A, staff of organization B (the
outsider), and a Day Shelter program of A with a batch."""

import os

import pytest

from hmis.accounts.models import Role
from tests import factories as f
from tests.two_factor import install_force_login_with_second_factor


def pytest_configure(config):
    _let_test_flushes_truncate_the_audit_trail()


def _let_test_flushes_truncate_the_audit_trail():
    """PostgreSQL refuses TRUNCATE of the audit trail (a statement trigger). Tests that commit
    (threads, transactional_db) are reset with TRUNCATE of every table: for those flushes only,
    the trigger is set aside inside the flush's own transaction, as a table owner could."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    if getattr(original, "lets_audit_truncate", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if "audit_auditevent" not in tables or not statements:
            return statements
        trigger = "audit_auditevent {} TRIGGER audit_event_no_truncate"
        return [
            f"ALTER TABLE {trigger.format('DISABLE')}",
            *statements,
            f"ALTER TABLE {trigger.format('ENABLE')}",
        ]

    sql_flush.lets_audit_truncate = True
    DatabaseOperations.sql_flush = sql_flush


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: runs in CI's PostgreSQL pass")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, as in production, not Django's in-memory default.
    In memory, the live server's threads share the test's one connection, and CPython's sqlite3
    can deadlock two threads on it (one binds parameters holding the GIL and waits for SQLite's
    lock; the other holds SQLite's lock and waits for the GIL to call a Django SQL function): the
    browser tests hung until CI's time ran out. With a file each thread has its own connection."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test-hmis.sqlite3")


@pytest.fixture(autouse=True)
def isolated_data_dir(settings, tmp_path):
    """Files a test writes (card sheets, uploaded photos) go to its own folder, not ./data."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HMIS_JOBS_DIR = tmp_path / "data" / "jobs"
    settings.HMIS_NIGHTLY_EXPORT_DIR = tmp_path / "data" / "exports"


@pytest.fixture(autouse=True)
def cheap_password_hasher(settings):
    """Every factory user hashes a password: the production hasher (a million PBKDF2 rounds) would
    cost about a second a test. Tests of hashing itself set PASSWORD_HASHERS back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def force_login_completes_two_factor(monkeypatch):
    """Administrators must pass a second factor; a test's `force_login` stands for a finished
    sign-in, both factors included (tests/two_factor.py). Sign-in itself is tested through the
    pages in tests/security/test_login.py and test_two_factor*.py."""
    install_force_login_with_second_factor(monkeypatch)


@pytest.fixture
def org_a(db):
    return f.make_organization("Agency A")


@pytest.fixture
def org_b(db):
    return f.make_organization("Agency B")


@pytest.fixture
def staff_a(org_a):
    return f.make_user(org_a, Role.STAFF, username="staff_a", first_name="Jane", last_name="Doe")


@pytest.fixture
def back_dating_staff_a(staff_a):
    """staff_a allowed to add services on fixed past dates (the back-date limit itself is tested in
    tests/batches/test_dates.py)."""
    staff_a.may_back_date = True
    staff_a.save(update_fields=["may_back_date"])
    return staff_a


@pytest.fixture
def readonly_a(org_a):
    return f.make_user(org_a, Role.READ_ONLY, username="readonly_a")


@pytest.fixture
def staff_b(org_b):
    return f.make_user(org_b, Role.STAFF, username="staff_b")


@pytest.fixture
def day_shelter(org_a):
    return f.make_project(org_a, "Day Shelter")


@pytest.fixture
def batch(day_shelter, staff_a):
    return f.make_batch(day_shelter, performing_user=staff_a, description="Drop-in visit")
