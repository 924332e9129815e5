"""The security baseline every later feature inherits: headers, cookies, production settings, the
project's own system checks, encryption at rest, configuration from the environment, demo seeding."""

import base64
import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, signed_in
from environet import checks, crypto, env

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# --- Headers ------------------------------------------------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.fixture(params=["landing", "signin", "profile", "people", "not found"])
def page(request, cast):
    client = signed_in(cast.administrator) if request.param in ("profile", "people") else Client()
    url = {
        "landing": "/",
        "signin": reverse("accounts:signin"),
        "profile": reverse("accounts:profile"),
        "people": reverse("accounts:people"),
        "not found": "/no/such/page/",
    }[request.param]
    # Secure, as behind the TLS-terminating proxy: HSTS is only ever sent over HTTPS.
    return client.get(url, secure=True)


def test_it_sends_a_content_security_policy_without_inline_script(page):
    policy = _directives(page["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert "'unsafe-eval'" not in page["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_it_forbids_framing_sniffing_and_leaking_the_address(page):
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_it_tells_browsers_to_use_https_only(page):
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_it_sends_no_inline_script_in_pages(cast):
    # The policy would block inline script anyway; a page relying on one would be broken.
    for url in ("/", reverse("accounts:signin"), reverse("accounts:request_access")):
        content = Client().get(url).content.decode()
        for tag in content.split("<script")[1:]:
            assert " src=" in tag.split(">", 1)[0], f"inline script on {url}"
        assert " onclick=" not in content and " onsubmit=" not in content and "javascript:" not in content


def test_it_keeps_cookies_secure_httponly_and_same_site(cast):
    client = Client()
    csrf = client.get(reverse("accounts:signin"), secure=True).cookies["__Host-csrftoken"]
    assert (csrf["secure"], csrf["httponly"], csrf["samesite"], csrf["path"]) == (True, True, "Strict", "/")

    response = client.post(reverse("accounts:signin"), {"email": cast.member.email, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    # Lax, not Strict: a link from an email must arrive signed in.
    assert (session["secure"], session["httponly"], session["samesite"], session["path"]) == (True, True, "Lax", "/")
    assert not session["domain"], "a __Host- cookie may not name a domain"


# --- Production configuration, as the server would start -------------------------------------------------


def _production_environment(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """A production environment: no debug, no testing, real secrets; nothing inherited from this run's
    ENVIRONET_* or database settings. ``changes`` sets (or, with None, removes) variables."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ENVIRONET_", "DJANGO_")) and name not in ("DATABASE_URL", "REDIS_URL")
    }
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    environment.update(
        DJANGO_SETTINGS_MODULE="environet.settings",
        ENVIRONET_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ENVIRONET_ALLOWED_HOSTS="environet.example.org",
        ENVIRONET_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        ENVIRONET_VAR_DIR=str(tmp_path),
    )
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def _run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def _settings_in(environment: dict[str, str], *names: str) -> dict:
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, default=repr))"
    )
    result = _run(["-c", script], environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_passes_the_deployment_checks_in_production(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_keeps_a_key_of_its_own_when_none_is_configured(tmp_path):
    # Production with only the secret key and the allowed hosts set still passes, and the key it makes
    # in the data folder is readable by its owner alone and the same at every start.
    environment = _production_environment(tmp_path, ENVIRONET_ENCRYPTION_KEY=None)
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    assert result.returncode == 0, result.stdout + result.stderr
    key_files = list(tmp_path.rglob("encryption.key"))
    assert len(key_files) == 1
    assert key_files[0].stat().st_mode & 0o777 == 0o600
    first = key_files[0].read_text()
    assert _run(["manage.py", "check"], environment).returncode == 0
    assert key_files[0].read_text() == first


def test_it_refuses_a_configured_key_that_is_not_32_bytes(tmp_path):
    environment = _production_environment(tmp_path, ENVIRONET_ENCRYPTION_KEY="dG9vLXNob3J0")
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    assert result.returncode != 0
    assert "environet.E003" in result.stdout + result.stderr


def test_it_fails_the_deployment_checks_without_a_secret_key(tmp_path):
    environment = _production_environment(tmp_path, ENVIRONET_SECRET_KEY=None)
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    assert result.returncode != 0
    assert "ENVIRONET_SECRET_KEY is not set" in result.stdout + result.stderr


def test_it_uses_production_cookie_and_transport_settings(tmp_path):
    values = _settings_in(
        _production_environment(tmp_path),
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        # No trusted proxy configured: nobody may claim the original request was HTTPS.
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_it_lends_postgresql_connections_from_a_pool(tmp_path):
    # Settings only: nothing connects, so no PostgreSQL server is needed for this one.
    url = "postgres://environet@db.example.org:5432/environet"
    database = _settings_in(_production_environment(tmp_path, DATABASE_URL=url), "DATABASES")["DATABASES"]["default"]
    pool = database["OPTIONS"]["pool"]
    assert pool.pop("check").startswith("<function check_lent_connection")  # each lent connection is checked
    assert pool == {"min_size": 2, "max_size": 20, "timeout": 10}
    assert database["CONN_MAX_AGE"] == 0  # Django lends and takes back; a kept connection would bypass the pool
    sizes = {"ENVIRONET_DB_POOL_MIN": "4", "ENVIRONET_DB_POOL_MAX": "8", "ENVIRONET_DB_POOL_WAIT_SECONDS": "3"}
    sized = _production_environment(tmp_path, DATABASE_URL=url, **sizes)
    sized_pool = _settings_in(sized, "DATABASES")["DATABASES"]["default"]["OPTIONS"]["pool"]
    assert {name: value for name, value in sized_pool.items() if name != "check"} == {
        "min_size": 4,
        "max_size": 8,
        "timeout": 3,
    }
    # Behind a pooler of its own (pgbouncer), or to compare: one connection a request, as before.
    unpooled = _settings_in(_production_environment(tmp_path, DATABASE_URL=url, ENVIRONET_DB_POOL="0"), "DATABASES")
    assert "pool" not in unpooled["DATABASES"]["default"].get("OPTIONS", {})
    sqlite = _settings_in(_production_environment(tmp_path), "DATABASES")["DATABASES"]["default"]
    assert "pool" not in sqlite["OPTIONS"]


@pytest.mark.parametrize(
    ("value", "debug"), [(None, False), ("", False), ("0", False), ("no", False), ("1", True), ("true", True)]
)
def test_it_turns_debug_on_only_when_asked(tmp_path, value, debug):
    environment = _production_environment(tmp_path, ENVIRONET_DEBUG=value)
    assert _settings_in(environment, "DEBUG") == {"DEBUG": debug}


def test_it_reads_secrets_from_files(tmp_path):
    secret_file, key_file = tmp_path / "secret_key", tmp_path / "encryption_key"
    key = os.urandom(32)
    secret_file.write_text("s" * 30 + "from-a-file-" + "t" * 20 + "\n")
    key_file.write_text(base64.urlsafe_b64encode(key).decode() + "\n")
    environment = _production_environment(
        tmp_path,
        ENVIRONET_SECRET_KEY="ignored-when-a-file-is-named",
        ENVIRONET_SECRET_KEY_FILE=str(secret_file),
        ENVIRONET_ENCRYPTION_KEY=None,
        ENVIRONET_ENCRYPTION_KEY_FILE=str(key_file),
    )
    values = _settings_in(environment, "SECRET_KEY", "ENCRYPTION_KEYS")
    assert values["SECRET_KEY"] == "s" * 30 + "from-a-file-" + "t" * 20
    assert values["ENCRYPTION_KEYS"] == [repr(key)]


# --- The project's own system checks -------------------------------------------------------------------


def _ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def test_it_reports_no_problem_with_the_test_configuration():
    assert [problem for problem in run_checks() if (problem.id or "").startswith("environet.")] == []


def test_it_reports_a_missing_encryption_key(settings):
    settings.ENCRYPTION_KEYS = []
    assert _ids(checks.check_encryption_keys(None)) == ["environet.E002"]


@pytest.mark.parametrize("bad_key", [b"", b"sixteen bytes!!!", os.urandom(33)])
def test_it_reports_an_encryption_key_of_the_wrong_size(settings, bad_key):
    settings.ENCRYPTION_KEYS = [os.urandom(32), bad_key]
    problems = checks.check_encryption_keys(None)
    assert _ids(problems) == ["environet.E003"]
    assert "#2" in problems[0].msg


@pytest.mark.parametrize(("zone", "use_tz"), [("Europe/Paris", True), ("UTC", False)])
def test_it_reports_a_time_zone_other_than_utc(settings, zone, use_tz):
    settings.TIME_ZONE, settings.USE_TZ = zone, use_tz
    assert _ids(checks.check_time_zone(None)) == ["environet.E004"]


def test_it_reports_a_trusted_proxy_that_is_not_an_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]
    problems = checks.check_trusted_proxies(None)
    assert _ids(problems) == ["environet.E005"]
    assert "proxy.internal" in problems[0].msg
    settings.TRUSTED_PROXIES = ["10.0.0.1", "10.0.0.0/8", "::1"]
    assert checks.check_trusted_proxies(None) == []


def test_it_runs_its_checks_with_the_others(settings):
    # Registered, not just defined: Django runs them at start-up and in `manage.py check`.
    settings.TIME_ZONE = "Europe/Paris"
    problems = [problem for problem in run_checks() if problem.id == "environet.E004"]
    assert len(problems) == 1 and isinstance(problems[0], Error)


# --- Encryption at rest ---------------------------------------------------------------------------------


def test_it_opens_what_it_sealed():
    envelope = crypto.seal(b"JBSWY3DPEHPK3PXP", context="totp:42")
    assert b"JBSWY3DPEHPK3PXP" not in envelope
    assert crypto.open_sealed(envelope, context="totp:42") == b"JBSWY3DPEHPK3PXP"
    # Each envelope has its own data key and nonces: the same secret never looks the same twice.
    assert crypto.seal(b"JBSWY3DPEHPK3PXP", context="totp:42") != envelope


def test_it_refuses_an_envelope_moved_to_another_context():
    envelope = crypto.seal(b"secret", context="totp:42")
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(envelope, context="totp:43")


@pytest.mark.parametrize(
    "position", [2, 6, 20, 70, 80, -1], ids=["key id", "wrap nonce", "wrapped key", "nonce", "body", "tag"]
)
def test_it_refuses_an_envelope_with_any_byte_changed(position):
    envelope = bytearray(crypto.seal(b"a secret worth keeping", context="totp:42"))
    envelope[position] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(bytes(envelope), context="totp:42")


@pytest.mark.parametrize("garbage", [b"", b"E1", b"not an envelope at all" * 5])
def test_it_refuses_what_is_not_an_envelope(garbage):
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(garbage, context="totp:42")


def test_it_rotates_the_master_key_by_rewrapping(settings):
    old, new = os.urandom(32), os.urandom(32)
    settings.ENCRYPTION_KEYS = [old]
    envelope = crypto.seal(b"a secret worth keeping", context="file:7")
    assert not crypto.needs_rewrap(envelope)

    # The new key comes first; the old one stays, so what it sealed still opens meanwhile.
    settings.ENCRYPTION_KEYS = [new, old]
    assert crypto.open_sealed(envelope, context="file:7") == b"a secret worth keeping"
    assert crypto.needs_rewrap(envelope)
    rewrapped = crypto.rewrap(envelope)
    assert not crypto.needs_rewrap(rewrapped)
    # Only the data key was re-encrypted: the body is the same bytes.
    assert rewrapped[66:] == envelope[66:]

    # Once everything is rewrapped, the old key can go.
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.open_sealed(rewrapped, context="file:7") == b"a secret worth keeping"
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(envelope, context="file:7")
    with pytest.raises(crypto.DecryptionError):
        crypto.rewrap(envelope)


def test_it_refuses_to_rewrap_a_damaged_envelope():
    envelope = bytearray(crypto.seal(b"secret", context="file:7"))
    envelope[30] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.rewrap(bytes(envelope))


# --- Settings from the environment ----------------------------------------------------------------------


def test_it_reads_a_variable_or_its_file(monkeypatch, tmp_path):
    monkeypatch.setenv("ENVIRONET_EXAMPLE", "from the variable")
    assert env.text("ENVIRONET_EXAMPLE") == "from the variable"
    secret = tmp_path / "example"
    secret.write_text("  from the file\n")
    monkeypatch.setenv("ENVIRONET_EXAMPLE_FILE", str(secret))
    # The file wins (it is how Docker and systemd pass secrets), trimmed of its line break.
    assert env.text("ENVIRONET_EXAMPLE") == "from the file"


def test_it_reads_lists_from_files(monkeypatch, tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("a.example.org, b.example.org,\n")
    monkeypatch.setenv("ENVIRONET_EXAMPLE_HOSTS_FILE", str(hosts))
    assert env.listing("ENVIRONET_EXAMPLE_HOSTS") == ["a.example.org", "b.example.org"]


def test_it_refuses_a_file_it_cannot_read(monkeypatch, tmp_path):
    monkeypatch.setenv("ENVIRONET_EXAMPLE_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="ENVIRONET_EXAMPLE_FILE"):
        env.text("ENVIRONET_EXAMPLE")


def test_it_reads_flags_and_numbers(monkeypatch):
    monkeypatch.setenv("ENVIRONET_EXAMPLE_FLAG", "Yes")
    monkeypatch.setenv("ENVIRONET_EXAMPLE_NUMBER", "45")
    assert env.flag("ENVIRONET_EXAMPLE_FLAG") is True
    assert env.flag("ENVIRONET_EXAMPLE_UNSET") is False
    assert env.number("ENVIRONET_EXAMPLE_NUMBER", 30) == 45
    assert env.number("ENVIRONET_EXAMPLE_UNSET", 30) == 30
    monkeypatch.setenv("ENVIRONET_EXAMPLE_NUMBER", "forty")
    with pytest.raises(ImproperlyConfigured, match="ENVIRONET_EXAMPLE_NUMBER"):
        env.number("ENVIRONET_EXAMPLE_NUMBER", 30)


# --- Demo network ------------------------------------------------------------------------------------------


def test_it_refuses_to_seed_the_demo_in_production(tmp_path):
    result = _run(["manage.py", "seed_demo"], _production_environment(tmp_path))
    assert result.returncode != 0
    assert "Demo data is for development only" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_to_seed_the_demo_when_debug_is_off(db, settings):
    from django.core.management import CommandError

    from accounts import demo
    from accounts.models import Person

    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        demo.seed()
    assert not Person.objects.exists()


def test_it_seeds_the_demo_network_idempotently(db, settings):
    from accounts import demo
    from accounts.models import Organisation, Person
    from topics.models import TopicChoice

    def counts() -> dict[str, int]:
        return {
            "organisations": Organisation.objects.count(),
            "people": Person.objects.count(),
            "topic choices": TopicChoice.objects.count(),
        }

    settings.DEBUG = True
    demo.seed()
    first = counts()
    secrets_before = dict(Person.objects.values_list("email", "totp_secret"))
    demo.seed()
    assert counts() == first
    assert first["organisations"] >= 8 and first["people"] >= 20
    # Re-seeding must not re-enrol anyone: a newcomer's authenticator would stop working.
    assert dict(Person.objects.values_list("email", "totp_secret")) == secrets_before


# --- A data folder without its key -------------------------------------------------------------------


def test_it_refuses_to_make_a_new_key_for_a_folder_that_holds_encrypted_files(tmp_path):
    # A restore that forgot encryption.key: a new key would open none of the files, and say nothing.
    environment = _production_environment(tmp_path, ENVIRONET_ENCRYPTION_KEY=None)
    stored = tmp_path / "attachments" / "ab"
    stored.mkdir(parents=True)
    (stored / "ab12").write_bytes(b"E1" + os.urandom(100))
    result = _run(["manage.py", "check"], environment)
    assert result.returncode != 0
    assert "encryption.key is missing, but the data folder holds data encrypted with it" in result.stderr
    assert not list(tmp_path.rglob("encryption.key"))


def test_it_refuses_to_make_a_new_key_for_a_database_that_holds_sealed_values(tmp_path):
    import sqlite3

    environment = _production_environment(tmp_path, ENVIRONET_ENCRYPTION_KEY=None)
    database = tmp_path / "environet.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE accounts_person (id INTEGER PRIMARY KEY, totp_secret BLOB)")
        connection.execute("INSERT INTO accounts_person (totp_secret) VALUES (?)", (b"E1" + os.urandom(90),))
    connection.close()
    result = _run(["manage.py", "check"], environment)
    assert result.returncode != 0
    assert "will not make a new key" in result.stderr
    # The same database without any sealed value is a first installation's: a key is made.
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE accounts_person SET totp_secret = NULL")
    connection.close()
    assert _run(["manage.py", "check"], environment).returncode == 0, result.stderr
    assert len(list(tmp_path.rglob("encryption.key"))) == 1
