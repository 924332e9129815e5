"""requirements.lock pins every package, dependencies of dependencies included, with hashes; `make` installs
from it. A dependency added to pyproject.toml without `make lock` fails here, saying what to run."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
ENTRY = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)(?:\s*;\s*([^\\]+))?")


def _lock(*, here_only: bool = False) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes); ``here_only``: without packages for other platforms (markers)."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        found = ENTRY.match(line)
        if found:
            current = canonicalize_name(found[1])
            if here_only and found[3] and not Marker(found[3].strip()).evaluate():
                current = None
                continue
            entries[current] = (found[2], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]


def test_every_declared_dependency_is_locked_at_its_pinned_version():
    lock = _lock()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{requirement.name} is not in requirements.lock: run `make lock`"
        [pin] = list(requirement.specifier)
        assert pin.operator == "==", f"{requirement} must be pinned with =="
        assert lock[name][0] == pin.version, f"requirements.lock has {name}=={lock[name][0]}: run `make lock`"


def test_every_locked_package_has_hashes():
    unhashed = [name for name, (_version, hashes) in _lock().items() if hashes == 0]
    assert unhashed == []


def test_this_environment_is_the_locked_one():
    # What `make` installed is exactly the lock: nothing floats beneath the top-level pins.
    differing = []
    for name, (version, _hashes) in _lock(here_only=True).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            differing.append(f"{name} missing")
            continue
        if installed != version:
            differing.append(f"{name} {installed} installed, {version} locked")
    assert differing == []
