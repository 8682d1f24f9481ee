"""Tests for lib/python_buildpack/context.py: the frozen build context and reading config vars."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from python_buildpack import context
from python_buildpack.context import APP_DIR, BuildContext, make_context, read_env_dir

REPO = Path(__file__).resolve().parents[2]


def make(tmp_path: Path, **overrides: object) -> BuildContext:
    values: dict[str, object] = {
        "build_dir": tmp_path / "build",
        "cache_dir": tmp_path / "cache",
        "env_dir": None,
        "buildpack_dir": REPO,
        "stack": "heroku-24",
        "arch": "amd64",
        "config_vars": {},
        "environ": {},
    }
    values.update(overrides)
    return BuildContext(**values)  # type: ignore[arg-type]


def test_paths(tmp_path: Path) -> None:
    ctx = make(tmp_path)
    assert ctx.app_dir == APP_DIR == Path("/app")
    assert ctx.python_home == Path("/app/.heroku/python")
    assert ctx.build_python_home == tmp_path / "build" / ".heroku" / "python"


def test_is_frozen(tmp_path: Path) -> None:
    ctx = make(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.stack = "heroku-22"  # type: ignore[misc]


def test_environ_not_in_repr(tmp_path: Path) -> None:
    ctx = make(tmp_path, environ={"SECRET_TOKEN": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(ctx)


def test_builds_in_app_dir(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    assert make(tmp_path, build_dir=app, app_dir=app).builds_in_app_dir
    assert not make(tmp_path, build_dir=tmp_path / "build", app_dir=app).builds_in_app_dir
    # Through a symlink it is still the same directory.
    link = tmp_path / "link"
    link.symlink_to(app)
    assert make(tmp_path, build_dir=link, app_dir=app).builds_in_app_dir


def test_install_test(tmp_path: Path) -> None:
    assert not make(tmp_path).install_test
    assert not make(tmp_path, environ={"INSTALL_TEST": ""}).install_test
    assert make(tmp_path, environ={"INSTALL_TEST": "1"}).install_test


@pytest.mark.parametrize(
    ("environ", "config_vars", "expected"),
    [
        pytest.param({}, {}, None, id="unset"),
        pytest.param({"X": "env"}, {}, "env", id="environ"),
        pytest.param({}, {"X": "config"}, "config", id="config-var"),
        pytest.param({"X": "env"}, {"X": "config"}, "env", id="environ-wins"),
        pytest.param({}, {"X": ""}, None, id="empty-is-unset"),
    ],
)
def test_setting(
    tmp_path: Path, environ: dict[str, str], config_vars: dict[str, str], expected: str | None
) -> None:
    assert make(tmp_path, environ=environ, config_vars=config_vars).setting("X") == expected


@pytest.mark.parametrize(
    ("stack", "ubuntu"), [("heroku-22", "22.04"), ("heroku-24", "24.04"), ("heroku-26", "26.04")]
)
def test_ubuntu_version(tmp_path: Path, stack: str, ubuntu: str) -> None:
    assert make(tmp_path, stack=stack).ubuntu_version == ubuntu


def test_read_env_dir(tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    (env_dir / "PIP_INDEX_URL").write_text("https://user:pw@example.invalid/simple")
    (env_dir / "EMPTY").write_text("")
    (env_dir / "MULTILINE").write_text("a\nb\n")
    (env_dir / "LATIN1").write_bytes(b"caf\xe9")
    (env_dir / "subdir").mkdir()
    config = read_env_dir(env_dir)
    assert list(config) == ["EMPTY", "LATIN1", "MULTILINE", "PIP_INDEX_URL"]
    assert config["PIP_INDEX_URL"] == "https://user:pw@example.invalid/simple"
    assert config["EMPTY"] == ""
    # Values are kept exactly, trailing newline included.
    assert config["MULTILINE"] == "a\nb\n"
    # Undecodable bytes survive a round trip.
    assert config["LATIN1"].encode("utf-8", errors="surrogateescape") == b"caf\xe9"


def test_read_env_dir_missing(tmp_path: Path) -> None:
    assert read_env_dir(None) == {}
    assert read_env_dir(tmp_path / "missing") == {}


@pytest.mark.parametrize(
    ("machine", "arch"),
    [
        ("x86_64", "amd64"),
        ("AMD64", "amd64"),
        ("aarch64", "arm64"),
        ("arm64", "arm64"),
        ("riscv64", "riscv64"),
    ],
)
def test_detect_arch(monkeypatch: pytest.MonkeyPatch, machine: str, arch: str) -> None:
    real = os.uname()
    fake = os.uname_result((real.sysname, real.nodename, real.release, real.version, machine))
    monkeypatch.setattr(os, "uname", lambda: fake)
    assert context.detect_arch() == arch


def test_make_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    (env_dir / "PIP_EXTRA_INDEX_URL").write_text("x")
    monkeypatch.chdir(tmp_path)
    environ = {"STACK": "heroku-22", "BUILDPACK_ARCH": "arm64", "OTHER": "1"}
    ctx = make_context("build", "cache", str(env_dir), environ)
    assert ctx.build_dir == tmp_path / "build"
    assert ctx.build_dir.is_absolute() and ctx.cache_dir == tmp_path / "cache"
    assert ctx.env_dir == env_dir
    assert ctx.buildpack_dir == REPO
    assert ctx.stack == "heroku-22"
    assert ctx.arch == "arm64"
    assert ctx.config_vars == {"PIP_EXTRA_INDEX_URL": "x"}
    assert ctx.environ == environ
    assert ctx.app_dir == Path("/app")


def test_make_context_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "detect_arch", lambda: "amd64")
    ctx = make_context(str(tmp_path / "b"), str(tmp_path / "c"), "", {})
    assert ctx.stack == ""
    assert ctx.arch == "amd64"
    assert ctx.env_dir is None
    assert ctx.config_vars == {}


def test_make_context_uses_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACK", "heroku-26")
    ctx = make_context(str(tmp_path), str(tmp_path), None)
    assert ctx.stack == "heroku-26"
    assert ctx.environ["STACK"] == "heroku-26"
