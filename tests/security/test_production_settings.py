"""Production settings: refuse to start without SECRET_KEY, `check --deploy` silent, browser
protections on every response, no inline script in any template."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

import hmis

SRC = Path(hmis.__file__).resolve().parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-test-secret-" + "Zq8#pL2$wX9!vB4^" * 2,
    "ALLOWED_HOSTS": "hmis.example.org",
    "HMIS_FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}


def run_hmis(args, env, tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    clean.pop("SECRET_KEY", None)
    clean.update(env, HMIS_DATA_DIR=str(tmp_path))
    return subprocess.run(  # noqa: S603 (our own CLI, fixed arguments)
        [sys.executable, "-m", "hmis", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_under_production_settings(tmp_path):
    result = run_hmis(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues (0 silenced)." in output


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_hmis(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_refuses_a_malformed_field_encryption_key(tmp_path):
    env = {**PRODUCTION_ENV, "HMIS_FIELD_ENCRYPTION_KEY": "not-a-key"}
    result = run_hmis(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "HMIS_FIELD_ENCRYPTION_KEY must be Fernet keys" in result.stderr


def test_production_settings_values(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    result = run_hmis(["shell", "--no-imports", "-c", code], PRODUCTION_ENV, tmp_path)
    assert result.stdout.split() == ["True", "True", "True", "31536000", "DENY", "None"]
    behind_proxy = {**PRODUCTION_ENV, "HMIS_BEHIND_TLS_PROXY": "1", "SECURE_SSL_REDIRECT": "0"}
    result = run_hmis(["shell", "--no-imports", "-c", code], behind_proxy, tmp_path)
    assert result.stdout.split()[2] == "False"
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout


def test_every_response_carries_the_browser_protections(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_templates_hold_no_inline_script_or_event_handler(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static .js file"
    assert not INLINE_HANDLER.search(text), "inline event handler: wire it in a static .js file"


def test_htmx_runs_without_eval():
    base = (SRC / "templates" / "base.html").read_text()
    config = re.search(r'name="htmx-config" content=\'([^\']*)\'', base)
    assert config and '"allowEval": false' in config.group(1)
