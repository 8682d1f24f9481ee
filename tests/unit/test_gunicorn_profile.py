"""Tests for vendor/profile.d/python.gunicorn.sh, sourced by real bash."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "vendor" / "profile.d" / "python.gunicorn.sh"
DEFAULT_ARGS = "--access-logfile -"


def source(cwd: Path, env: Mapping[str, str], before: str = "") -> dict[str, str]:
    """The environment after sourcing the script in bash started with exactly `env`."""
    base = {"PATH": "/usr/bin:/bin", **env}
    body = f'{before}\n. "$1" || exit 98\n/usr/bin/env -0'
    result = subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in base.items()), "bash", "-c", body, "bash", str(SCRIPT)],
        capture_output=True,
        check=False,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    pairs = (item.split("=", 1) for item in result.stdout.decode().split("\0") if item)
    return dict(pairs)


def test_defaults(tmp_path: Path) -> None:
    env = source(tmp_path, {})
    assert env["FORWARDED_ALLOW_IPS"] == "*"
    assert env["GUNICORN_CMD_ARGS"] == DEFAULT_ARGS


def test_forwarded_allow_ips_is_not_a_glob(tmp_path: Path) -> None:
    """`*` must stay literal even when the working directory has files in it."""
    (tmp_path / "app.py").write_text("")
    (tmp_path / "Procfile").write_text("")
    assert source(tmp_path, {})["FORWARDED_ALLOW_IPS"] == "*"


@pytest.mark.parametrize("user_value", ["127.0.0.1", "", "10.0.0.1,10.0.0.2"])
def test_forwarded_allow_ips_always_overridden(tmp_path: Path, user_value: str) -> None:
    assert source(tmp_path, {"FORWARDED_ALLOW_IPS": user_value})["FORWARDED_ALLOW_IPS"] == "*"


@pytest.mark.parametrize(
    "user_value",
    ["--workers 3", "--access-logfile /tmp/a.log --error-logfile -", """--name 'my "app" $HOME'"""],
)
def test_gunicorn_cmd_args_user_value_preserved(tmp_path: Path, user_value: str) -> None:
    assert source(tmp_path, {"GUNICORN_CMD_ARGS": user_value})["GUNICORN_CMD_ARGS"] == user_value


def test_gunicorn_cmd_args_empty_gets_default(tmp_path: Path) -> None:
    """An empty value counts as unset, as for every other default the buildpack sets."""
    assert source(tmp_path, {"GUNICORN_CMD_ARGS": ""})["GUNICORN_CMD_ARGS"] == DEFAULT_ARGS


def test_works_under_set_eu(tmp_path: Path) -> None:
    env = source(tmp_path, {}, before="set -eu")
    assert env["GUNICORN_CMD_ARGS"] == DEFAULT_ARGS


def test_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (CI installs it)")
    result = subprocess.run(
        ["shellcheck", "-s", "bash", str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
