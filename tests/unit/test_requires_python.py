"""Tests for lib/python_buildpack/requires_python.py: Poetry's syntax and the minor choice.

How the result feeds the requested version is tested in test_python_version.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from python_buildpack import requires_python
from python_buildpack.requires_python import Constraint, newest_allowed, poetry_specifiers

LATEST = {"3.10": "3.10.21", "3.11": "3.11.16", "3.12": "3.12.14", "3.13": "3.13.15"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("^3.11", [">=3.11,<4"]),
        ("^3.11.2", [">=3.11.2,<4"]),
        ("^0.2.3", [">=0.2.3,<0.3"]),
        ("~3.11", [">=3.11,<3.12"]),
        ("~3", [">=3,<4"]),
        ("~=3.11", ["~=3.11"]),
        (">=3.11,<3.13", [">=3.11,<3.13"]),
        (">= 3.11, < 3.13", [">=3.11,<3.13"]),
        ("3.12.*", ["==3.12.*"]),
        ("3.12", ["==3.12.*"]),
        ("==3.12.1", ["==3.12.1"]),
        ("!=3.12.*", ["!=3.12.*"]),
        ("*", [""]),
        ("^3.10 || ~3.9", [">=3.10,<4", ">=3.9,<3.10"]),
    ],
)
def test_poetry_specifiers(text: str, expected: list[str]) -> None:
    assert poetry_specifiers(text) == tuple(SpecifierSet(e) for e in expected)


@pytest.mark.parametrize("text", ["", "python3", "^3.11 ||", "3.x"])
def test_invalid_poetry_constraints(text: str) -> None:
    with pytest.raises(ValueError):
        poetry_specifiers(text)


def test_newest_allowed_uses_newest_patch_of_each_minor() -> None:
    def pick(spec: str) -> str | None:
        return newest_allowed(Constraint("pyproject", spec, (SpecifierSet(spec),)), LATEST)

    assert pick(">=3.11,<3.13") == "3.12"
    assert pick("==3.11.*") == "3.11"
    assert pick(">=3.11.17,<3.13") == "3.12"
    assert pick(">=3.10,<3.11.16") == "3.10"
    assert pick(">=3.14") is None


def test_constraint_labels() -> None:
    assert Constraint(requires_python.UV_LOCK, "", ()).where == "requires-python in uv.lock"
    assert Constraint(requires_python.PYPROJECT, "", ()).where == "requires-python in pyproject.toml"
    assert "tool.poetry" in Constraint(requires_python.POETRY, "", ()).where
    assert not Constraint(requires_python.PYPROJECT, "", (SpecifierSet(">=3"),)).allows("not a version")


def test_find_without_files(tmp_path: Path) -> None:
    assert requires_python.find(tmp_path, "uv") is None
    (tmp_path / "uv.lock").write_text("version = 1\n")
    assert requires_python.find(tmp_path, "uv") is None
