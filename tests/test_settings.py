"""Settings come from the environment, through helpers that fail loudly on bad values."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hmis import settings as hmis_settings


def run_settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    """Import hmis.settings in a fresh interpreter with exactly these HMIS variables set."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "HMIS_DATA_DIR", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "hmis.settings"
    return subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("raw", ["maybe", "2", "tru"])
def test_a_boolean_variable_with_a_bad_value_fails_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("HMIS_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match=r"HMIS_TEST_FLAG must be true or false"):
        hmis_settings.env_bool("HMIS_TEST_FLAG", False)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("OFF", False), ("", True)]
)
def test_a_boolean_variable_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("HMIS_TEST_FLAG", raw)
    assert hmis_settings.env_bool("HMIS_TEST_FLAG", True) is expected


def test_a_whole_number_variable_with_a_bad_value_fails_naming_the_variable(monkeypatch):
    monkeypatch.setenv("HMIS_RECENT_CLIENT_DAYS", "seven")
    with pytest.raises(ImproperlyConfigured, match=r"HMIS_RECENT_CLIENT_DAYS must be a whole"):
        hmis_settings.env_int("HMIS_RECENT_CLIENT_DAYS", 7)


def test_an_unset_whole_number_variable_takes_its_default(monkeypatch):
    monkeypatch.delenv("HMIS_RECENT_CLIENT_DAYS", raising=False)
    assert hmis_settings.env_int("HMIS_RECENT_CLIENT_DAYS", 7) == 7


def test_a_list_variable_is_split_on_commas_without_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " hmis.example.org, ,localhost ")
    assert hmis_settings.env_list("ALLOWED_HOSTS", []) == ["hmis.example.org", "localhost"]


def test_database_url_switches_to_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://hmis:secret@db.example.org:5433/hmis_prod")
    config = hmis_settings.database_config()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["HOST"], config["PORT"]) == (
        "hmis_prod",
        "hmis",
        "db.example.org",
        5433,
    )
    assert config["CONN_HEALTH_CHECKS"] is True


def test_a_database_url_that_is_not_a_url_fails_loudly(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "nonsense://what")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not a database URL"):
        hmis_settings.database_config()


def test_without_database_url_the_database_is_a_sqlite_file_in_the_data_dir_in_wal_mode(tmp_path):
    data_dir = tmp_path / "hmis-data"
    result = run_settings(
        {"HMIS_DATA_DIR": str(data_dir)},
        "import json, django; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode');"
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
        " 'name': str(settings.DATABASES['default']['NAME']),"
        " 'journal': cursor.fetchone()[0]}))",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["engine"] == "django.db.backends.sqlite3"
    assert Path(config["name"]) == data_dir.resolve() / "hmis.sqlite3"
    assert config["journal"] == "wal"
    assert (data_dir / "hmis.sqlite3").exists()


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = run_settings({"HMIS_DATA_DIR": str(tmp_path), "DEBUG": "0"}, "import hmis.settings")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_a_bad_debug_value_refuses_to_start(tmp_path):
    result = run_settings(
        {"HMIS_DATA_DIR": str(tmp_path), "DEBUG": "perhaps"}, "import hmis.settings"
    )
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_a_schedule_time_variable_with_a_bad_value_fails_naming_the_variable(monkeypatch):
    monkeypatch.setenv("HMIS_TEST_AT", "two o'clock")
    with pytest.raises(ImproperlyConfigured, match=r"HMIS_TEST_AT must be a time of day"):
        hmis_settings.env_time("HMIS_TEST_AT", "02:00")
    monkeypatch.setenv("HMIS_TEST_AT", "03:30")
    assert str(hmis_settings.env_time("HMIS_TEST_AT", "02:00")) == "03:30:00"


def test_json_logs_are_one_json_object_a_line_with_the_request_context(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "from hmis.monitoring import context; context.request_id.set('r-1'); "
        "context.user_id.set(7); context.organization_id.set(3); "
        "logging.getLogger('hmis.test').warning('hello %s', 'world')"
    )
    done = run_settings({"HMIS_DATA_DIR": str(tmp_path), "HMIS_LOG_FORMAT": "json"}, code)
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello world" and line["level"] == "WARNING"
    assert (line["request_id"], line["user_id"], line["organization_id"]) == ("r-1", 7, 3)
    bad = run_settings({"HMIS_DATA_DIR": str(tmp_path), "HMIS_LOG_FORMAT": "xml"}, code)
    assert "HMIS_LOG_FORMAT must be text or json" in bad.stderr
