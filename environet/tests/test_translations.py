"""Every user-facing string is translatable, and the English, French and Spanish catalogues are complete."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from conftest import REQUIRE_SERVICES, signed_in

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["en", "fr", "es"]
SKIPPED = {".venv", "var", ".git", "staticfiles", "build", ".mypy_cache", ".ruff_cache", "node_modules"}


def _gettext_tools() -> None:
    if shutil.which("xgettext") and shutil.which("msgattrib"):
        return
    if REQUIRE_SERVICES:
        pytest.fail("gettext tools are missing; `make test` installs them (apt-get install gettext)")
    pytest.skip("gettext tools missing: install them with `apt-get install gettext` (the Makefile does when it can)")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A copy of the source with freshly extracted catalogues: what makemessages would find today."""
    _gettext_tools()
    copy = tmp_path_factory.mktemp("source")
    for item in ROOT.iterdir():
        if item.name in SKIPPED or item.name.endswith(".egg-info"):
            continue
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, copy / item.name)
    env = {**os.environ, "ENVIRONET_DEBUG": "1", "ENVIRONET_VAR_DIR": str(copy / "var"), "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        sys.executable,
        "manage.py",
        "makemessages",
        "--no-obsolete",
        "--ignore=var",
        *[f"-l{code}" for code in LANGUAGES],
    ]
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_a_complete_catalogue(extracted, language):
    catalogue = extracted / "locale" / language / "LC_MESSAGES" / "django.po"
    for flag in ("--untranslated", "--only-fuzzy"):
        missing = subprocess.run(
            ["msgattrib", flag, "--no-wrap", str(catalogue)], capture_output=True, text=True, check=True
        )
        msgids = [line for line in missing.stdout.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
        assert not msgids, f"{language}: {flag[2:]} strings; run `make messages` and translate:\n" + "\n".join(
            msgids[:20]
        )


def test_it_speaks_the_persons_language(cast):
    cast.member.language = "fr"
    cast.member.save()
    page = signed_in(cast.member).get("/accounts/profile/")
    assert page["Content-Language"] == "fr"
    assert 'lang="fr"' in page.content.decode()


def test_it_offers_french_and_spanish_to_visitors(db, client):
    page = client.get("/accounts/signin/", headers={"accept-language": "es"})
    assert 'lang="es"' in page.content.decode()


# The functions makemessages extracts from (with ``_`` for gettext and gettext_lazy).
TRANSLATING = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def _called(node: ast.Call) -> str | None:
    function = node.func
    return function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)


def _given_f_string(node: ast.Call) -> bool:
    return any(isinstance(argument, ast.JoinedStr) for argument in node.args)


def _source_files() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts) and ".egg-info" not in str(path)
    ]


def test_no_translated_text_is_made_in_an_f_string():
    # xgettext reads neither an f-string given to gettext (its text is made at run time, so it is never in the
    # catalogue) nor a gettext call inside an f-string: both stay in English. Placeholders are %(name)s.
    found = []
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and _called(node) in TRANSLATING and _given_f_string(node):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: an f-string given to {_called(node)}")
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and _called(inner) in TRANSLATING:
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {_called(inner)} inside an f-string")
    assert not found, "\n".join(found)
