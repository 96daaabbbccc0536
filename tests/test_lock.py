"""requirements.lock keeps up with pyproject.toml: every dependency pinned, within its range, hashed.

Refreshing it needs the package index (README, "A standalone bundle": "To refresh the lock"); this
test only reads the files, so a dependency added or narrowed in pyproject.toml without a refresh
fails here, before a bundle is built from a lock that no longer matches.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def locked() -> dict[str, list[Version]]:
    """Each pinned package's versions (a universal lock may pin one per Python version)."""
    pins: dict[str, list[Version]] = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins.setdefault(canonicalize_name(match[1]), []).append(Version(match[2]))
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["bundle"]]


def test_every_dependency_is_pinned_within_its_range() -> None:
    pins = locked()
    for requirement in declared():
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in requirements.lock: refresh it (see README)"
        for pinned in versions:
            assert requirement.specifier.contains(pinned, prereleases=True), (
                f"requirements.lock pins {requirement.name}=={pinned}, outside {requirement.specifier}"
            )


def test_every_pin_carries_hashes() -> None:
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [block for block in blocks if PIN.match(block)]
    assert pinned
    assert all("--hash=sha256:" in block for block in pinned)
