"""`requires-python` and its relatives: which Python versions the app's project files allow.

Read from pyproject.toml's [project] table, Poetry's python constraint (Poetry apps, in
Poetry's own syntax) and uv.lock's top-level requires-python (uv apps). Analysis only; the
user-facing text lives in `errors.python_version`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import python_version as err

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - heroku-22's python3 is 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

# packaging.specifiers is imported where it is used: most apps state no requires-python.

PYPROJECT = "pyproject"
POETRY = "poetry"
UV_LOCK = "uv.lock"


@dataclass(frozen=True)
class Constraint:
    """The versions an app allows, and where that was written (for messages)."""

    source: str  # PYPROJECT, POETRY or UV_LOCK
    text: str  # as written in the file
    alternatives: tuple[SpecifierSet, ...]  # allowed when any one allows it (Poetry's `||`)

    @property
    def file(self) -> str:
        return "uv.lock" if self.source == UV_LOCK else "pyproject.toml"

    @property
    def where(self) -> str:
        """The file and the setting, e.g. `requires-python in pyproject.toml`."""
        if self.source == POETRY:
            return "the python constraint in pyproject.toml ([tool.poetry.dependencies])"
        return f"requires-python in {self.file}"

    def allows(self, version: str) -> bool:
        from packaging.version import InvalidVersion, Version

        try:
            parsed = Version(version)
        except InvalidVersion:
            return False
        return any(spec.contains(parsed, prereleases=True) for spec in self.alternatives)


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; a syntax error becomes a clear error naming the line and column."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise err.InvalidToml(path.name, str(e)) from e
    except UnicodeDecodeError as e:
        raise err.InvalidToml(path.name, "the file is not UTF-8 text") from e


def _table(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = data.get(key)
        if not isinstance(value, dict):
            return {}
        data = value
    return data


def _pep440(source: str, value: object, setting: str, file: str) -> Constraint:
    if not isinstance(value, str):
        raise err.RequiresPythonInvalid(file, setting, repr(value), "it is not a string")
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(value)
    except InvalidSpecifier as e:
        raise err.RequiresPythonInvalid(file, setting, value, str(e)) from e
    return Constraint(source, value.strip(), (spec,))


# One Poetry constraint: an optional operator, then a version that may end in `.*`.
_POETRY_TOKEN = re.compile(r"(\^|~=|~|==|!=|>=|<=|>|<|=)?\s*([0-9]+(?:\.[0-9]+)*(?:\.\*)?|\*)")


def _poetry_term(op: str, version: str) -> list[str]:
    if version == "*":
        return []
    if version.endswith(".*"):
        return [f"{'!=' if op == '!=' else '=='}{version}"]
    parts = [int(p) for p in version.split(".")]
    if op == "^":
        # ^3.11 allows everything up to the next change of the first non-zero part.
        index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        upper = [*parts[:index], parts[index] + 1]
        return [f">={version}", f"<{'.'.join(map(str, upper))}"]
    if op == "~":
        upper = [parts[0] + 1] if len(parts) == 1 else [parts[0], parts[1] + 1]
        return [f">={version}", f"<{'.'.join(map(str, upper))}"]
    if op in ("", "=", "=="):
        # A bare 3.11 means any 3.11.x to Poetry; 3.11.2 means exactly that.
        return [f"=={version}.*"] if len(parts) < 3 else [f"=={version}"]
    return [f"{op}{version}"]


def poetry_specifiers(text: str) -> tuple[SpecifierSet, ...]:
    """Poetry's constraint syntax (^3.11, ~3.11, >=3.11,<3.13, 3.12.*, a || b) as PEP 440 sets."""
    from packaging.specifiers import SpecifierSet

    alternatives = []
    for alternative in text.split("||"):
        rest = alternative.strip()
        terms: list[str] = []
        while rest:
            m = _POETRY_TOKEN.match(rest)
            if m is None:
                raise ValueError(f"cannot read {rest!r}")
            terms += _poetry_term(m[1] or "", m[2])
            rest = rest[m.end() :].lstrip(" ,")
        if not alternative.strip():
            raise ValueError("empty alternative")
        alternatives.append(SpecifierSet(",".join(terms)))
    return tuple(alternatives)


def _poetry(value: object) -> Constraint:
    setting = "[tool.poetry.dependencies] python"
    if not isinstance(value, str):
        raise err.RequiresPythonInvalid("pyproject.toml", setting, repr(value), "it is not a string")
    try:
        alternatives = poetry_specifiers(value)
    except ValueError as e:  # packaging's InvalidSpecifier is a ValueError
        raise err.RequiresPythonInvalid("pyproject.toml", setting, value, str(e)) from e
    return Constraint(POETRY, value.strip(), alternatives)


def find(build_dir: Path, package_manager: str) -> Constraint | None:
    """The app's constraint, or None when its files don't state one."""
    pyproject = build_dir / "pyproject.toml"
    if pyproject.is_file():
        data = load_toml(pyproject)
        project = _table(data, "project")
        if "requires-python" in project:
            return _pep440(
                PYPROJECT, project["requires-python"], "[project] requires-python", "pyproject.toml"
            )
        poetry_deps = _table(data, "tool", "poetry", "dependencies")
        if package_manager == "poetry" and "python" in poetry_deps:
            return _poetry(poetry_deps["python"])
    uv_lock = build_dir / "uv.lock"
    if package_manager == "uv" and uv_lock.is_file():
        data = load_toml(uv_lock)
        if "requires-python" in data:
            return _pep440(UV_LOCK, data["requires-python"], "requires-python", "uv.lock")
    return None


def _minor_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


def newest_allowed(constraint: Constraint, latest: Mapping[str, str]) -> str | None:
    """The newest minor (e.g. "3.12") whose newest known patch the constraint allows."""
    allowed = [minor for minor, patch in latest.items() if constraint.allows(patch)]
    return max(allowed, key=_minor_key) if allowed else None
