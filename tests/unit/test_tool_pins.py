"""Tests for lib/python_buildpack/tool_pins.py and the pins in vendor/tools.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from python_buildpack import tool_pins

REPO = Path(__file__).resolve().parents[2]


def buildpack(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "tools.toml").write_text(toml, encoding="utf-8")
    return tmp_path


def test_repo_pins_every_tool() -> None:
    pins = tool_pins.load(REPO)
    assert {"pip", "pipenv", "poetry", "uv", "pdm"} <= set(pins)
    for tool, table in pins.items():
        # Every pin is an exact version, which is what makes builds repeatable.
        assert str(Version(table["version"])) == table["version"], tool


def test_repo_pip_setuptools_pins() -> None:
    pip = tool_pins.load(REPO)["pip"]
    Version(pip["setuptools"])
    Version(pip["setuptools_below_python"])


def test_version() -> None:
    assert tool_pins.version(REPO, "pip") == tool_pins.load(REPO)["pip"]["version"]


def test_values_become_strings(tmp_path: Path) -> None:
    root = buildpack(tmp_path, '[tool]\nversion = "1.2.3"\nnumber = 3\nflag = true\n')
    assert tool_pins.load(root) == {"tool": {"version": "1.2.3", "number": "3", "flag": "True"}}
    assert tool_pins.version(root, "tool") == "1.2.3"


def test_unknown_tool(tmp_path: Path) -> None:
    root = buildpack(tmp_path, '[pip]\nversion = "1"\n')
    with pytest.raises(KeyError):
        tool_pins.version(root, "uv")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        tool_pins.load(tmp_path)


def test_invalid_toml(tmp_path: Path) -> None:
    root = buildpack(tmp_path, "[pip\nversion = \n")
    with pytest.raises(ValueError):  # tomllib.TOMLDecodeError is a ValueError
        tool_pins.load(root)
