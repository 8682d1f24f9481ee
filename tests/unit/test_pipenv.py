"""Tests for lib/python_buildpack/package_managers/pipenv.py and its errors.

The subprocesses (uv, pipenv) are replaced by fakes here; tests/integration/test_pipenv.py runs
the real ones. Error texts are snapshotted (tests/snapshots/pipenv_*.txt).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from python_buildpack import environment, tool_pins, tools
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.package_managers import (
    PipenvDependenciesFailed,
    PipenvLockOutOfSync,
    PipenvMissingPipfile,
)
from python_buildpack.package_managers import InstallContext, file_digest, pipenv
from python_buildpack.package_managers.select import REGISTRY, select
from python_buildpack.process import Result
from tests.support.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parents[2]
VERSION = tool_pins.version(REPO, "pipenv")
LOCK: dict[str, Any] = {
    "_meta": {"requires": {"python_version": "3.12"}},
    "default": {"flask": {"hashes": ["sha256:00"], "version": "==3.1.3"}},
    "develop": {"six": {"hashes": ["sha256:11"], "version": "==1.17.0"}},
}


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def make_app(tmp_path: Path, lock: Mapping[str, Any] = LOCK, pipfile: bool = True) -> Path:
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    (build_dir / "Pipfile.lock").write_text(json.dumps(lock))
    if pipfile:
        (build_dir / "Pipfile").write_text('[packages]\nflask = "*"\n')
    return build_dir


def ctx_for(build_dir: Path, *, test: bool = False) -> BuildContext:
    # app_dir/.heroku/python points at the build dir's runtime, as the /app symlink does.
    app_dir = build_dir.parent / "app"
    (app_dir / ".heroku").mkdir(parents=True, exist_ok=True)
    (build_dir / ".heroku" / "python").mkdir(parents=True, exist_ok=True)
    if not (app_dir / ".heroku" / "python").exists():
        (app_dir / ".heroku" / "python").symlink_to(build_dir / ".heroku" / "python")
    return BuildContext(
        build_dir=build_dir,
        cache_dir=build_dir.parent / "cache",
        env_dir=None,
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars={},
        environ={"INSTALL_TEST": "1"} if test else {},
        app_dir=app_dir,
    )


def ictx_for(
    ctx: BuildContext, *, reused: bool = False, env: Mapping[str, str] | None = None
) -> InstallContext:
    return InstallContext(
        ctx=ctx, env=dict(env or {"PATH": "/usr/bin"}), python_version="3.12.1", cache_reused=reused
    )


class FakeRun:
    def __init__(self, result: Result) -> None:
        self.result = result
        self.calls: list[tuple[list[str], dict[str, str], Path | None]] = []

    def __call__(
        self, args: Sequence[str | Path], *, env: Mapping[str, str], cwd: Path | None = None
    ) -> Result:
        self.calls.append(([str(a) for a in args], dict(env), cwd))
        return self.result


def fake_run(monkeypatch: pytest.MonkeyPatch, result: Result | None = None) -> FakeRun:
    fake = FakeRun(result or Result(0, ""))
    monkeypatch.setattr(pipenv, "run_streamed", fake)
    return fake


# --- Selection, pins, cache inputs -------------------------------------------------------------


def test_pipfile_lock_selects_pipenv(tmp_path: Path) -> None:
    assert REGISTRY["pipenv"] is pipenv
    assert select(ctx_for(make_app(tmp_path))) is pipenv


def test_tool_version_is_the_pin() -> None:
    assert pipenv.tool_version(ctx_for_repo()) == VERSION


def ctx_for_repo() -> BuildContext:
    return BuildContext(REPO, REPO, None, REPO, "heroku-24", "amd64", {}, {})


def test_cache_inputs_are_the_lockfile(tmp_path: Path) -> None:
    build_dir = make_app(tmp_path)
    inputs = pipenv.cache_inputs(ctx_for(build_dir))
    assert inputs == {"Pipfile.lock": file_digest(build_dir / "Pipfile.lock")}


# --- Environment ------------------------------------------------------------------------------


def test_runtime_env_puts_only_pipenv_on_path_after_python() -> None:
    env = environment.apply(environment.runtime_env(pipenv.runtime_env(ctx_for_repo())), {"PATH": "/usr/bin"})
    assert env["PATH"] == "/app/.heroku/python/bin:/app/.heroku/python/pipenv/bin:/usr/bin"
    assert env["PIPENV_SYSTEM"] == "1"
    assert env["PIPENV_VERBOSITY"] == "-1"
    assert env["VIRTUAL_ENV"] == "/app/.heroku/python"
    assert pipenv.export_env(ctx_for_repo()) == pipenv.runtime_env(ctx_for_repo())


def test_build_env_overrides_config_vars() -> None:
    base = {"PATH": "/usr/bin", "PIPENV_SYSTEM": "0", "PIPENV_VERBOSITY": "1"}
    env = environment.apply(environment.build_env(pipenv.build_env(ctx_for_repo())), base)
    assert env["PIPENV_SYSTEM"] == "1"
    assert env["PIPENV_VERBOSITY"] == "-1"
    assert env["VIRTUAL_ENV"] == "/app/.heroku/python"
    assert env["PATH"].split(":")[:2] == ["/app/.heroku/python/bin", "/app/.heroku/python/pipenv/bin"]


# --- Installing Pipenv ------------------------------------------------------------------------


def fake_venv(home: Path, version: str = VERSION, complete: bool = True) -> None:
    venv = home / "pipenv" / "venv"
    (venv / "lib" / "python3.12" / "site-packages" / f"pipenv-{version}.dist-info").mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "bin" / "pipenv").write_text("#!/app/.heroku/python/pipenv/venv/bin/python\n")
    if complete:
        (venv / ".installed").touch()
    (home / "pipenv" / "bin").mkdir()
    os.symlink("../venv/bin/pipenv", home / "pipenv" / "bin" / "pipenv")


def test_install_tool_reuses_a_complete_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = ctx_for(make_app(tmp_path))
    fake_venv(ctx.build_python_home)
    monkeypatch.setattr(tools, "install_venv_tool", _fail)
    assert pipenv.install_tool(ictx_for(ctx, reused=True)) == VERSION
    assert f"-----> Using cached Pipenv {VERSION}" in capsys.readouterr().out


def _fail(*args: object, **kwargs: object) -> Path:
    raise AssertionError("must not install")


@pytest.mark.parametrize("version, complete", [("2020.1.1", True), (VERSION, False)], ids=["old", "partial"])
def test_install_tool_replaces_an_old_or_partial_venv(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    version: str,
    complete: bool,
) -> None:
    ctx = ctx_for(make_app(tmp_path))
    fake_venv(ctx.build_python_home, version, complete)
    calls: list[dict[str, Any]] = []

    def install(ctx_: BuildContext, env: Mapping[str, str], **kwargs: Any) -> Path:
        calls.append(kwargs)
        # The old venv is gone before the new one is made.
        assert not (ctx.build_python_home / "pipenv" / "venv").exists()
        dest: Path = kwargs["dest"]
        (dest / "bin").mkdir(parents=True)
        return dest

    monkeypatch.setattr(tools, "install_venv_tool", install)
    assert pipenv.install_tool(ictx_for(ctx)) == VERSION
    assert f"-----> Installing Pipenv {VERSION}" in capsys.readouterr().out
    assert len(calls) == 1
    # Made through the /app path, so the venv records paths valid at runtime.
    assert calls[0]["dest"] == ctx.python_home / "pipenv" / "venv"
    assert calls[0]["requirements"] == [f"pipenv=={VERSION}"]
    script = ctx.build_python_home / "pipenv" / "bin" / "pipenv"
    assert os.readlink(script) == "../venv/bin/pipenv"
    assert sorted(p.name for p in script.parent.iterdir()) == ["pipenv"]


def test_installed_version_reads_dist_info(tmp_path: Path) -> None:
    assert pipenv.installed_version(tmp_path / "none") is None
    fake_venv(tmp_path, "2026.1.2")
    assert pipenv.installed_version(tmp_path / "pipenv" / "venv") == "2026.1.2"


# --- Install key and static locks -------------------------------------------------------------


def test_install_key_covers_lock_pipfile_settings_and_test_mode(tmp_path: Path) -> None:
    build_dir = make_app(tmp_path)
    ctx = ctx_for(build_dir)
    base = pipenv.install_key(ictx_for(ctx))
    assert pipenv.install_key(ictx_for(ctx)) == base
    assert pipenv.install_key(ictx_for(ctx, env={"PATH": "/usr/bin", "UNRELATED": "1"})) == base
    assert pipenv.install_key(ictx_for(ctx, env={"PIP_INDEX_URL": "http://x"})) != base
    assert pipenv.install_key(ictx_for(ctx, env={"PIPENV_PYPI_MIRROR": "http://x"})) != base
    assert pipenv.install_key(ictx_for(ctx_for(build_dir, test=True))) != base
    (build_dir / "Pipfile").write_text('[packages]\nflask = "*"\nsix = "*"\n')
    after_pipfile = pipenv.install_key(ictx_for(ctx))
    assert after_pipfile != base
    (build_dir / "Pipfile.lock").write_text("{}")
    assert pipenv.install_key(ictx_for(ctx)) != after_pipfile


@pytest.mark.parametrize(
    "entry",
    [
        {"editable": True, "path": "./pkg"},
        {"path": "./pkg"},
        {"git": "https://example.invalid/repo.git", "ref": "abc"},
        {"file": "https://example.invalid/pkg.whl"},
        "*",
    ],
)
def test_lock_with_local_or_vcs_entries_is_not_static(entry: object) -> None:
    assert pipenv.lock_is_static(LOCK, install_test=True)
    assert not pipenv.lock_is_static({**LOCK, "default": {"pkg": entry}}, install_test=False)


def test_develop_section_counts_only_in_test_mode() -> None:
    lock = {**LOCK, "develop": {"pkg": {"path": "."}}}
    assert pipenv.lock_is_static(lock, install_test=False)
    assert not pipenv.lock_is_static(lock, install_test=True)


# --- Installing dependencies ------------------------------------------------------------------


def test_install_runs_pipenv_install_deploy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = ctx_for(make_app(tmp_path))
    fake = fake_run(monkeypatch)
    pipenv.install_dependencies(ictx_for(ctx), "key", "")
    [(args, env, cwd)] = fake.calls
    assert args == [str(ctx.python_home / "pipenv" / "bin" / "pipenv"), "install", "--deploy"]
    assert cwd == ctx.build_dir
    assert env["PIPENV_NOSPIN"] == "1"
    assert env["PIP_SRC"] == str(ctx.python_home / "src")


def test_test_mode_adds_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = ctx_for(make_app(tmp_path), test=True)
    fake = fake_run(monkeypatch)
    pipenv.install_dependencies(ictx_for(ctx), "key", "")
    assert fake.calls[0][0][1:] == ["install", "--deploy", "--dev"]
    assert pipenv.command(True) == ["pipenv", "install", "--deploy", "--dev"]


def test_unchanged_static_lock_skips_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = ctx_for(make_app(tmp_path))
    fake = fake_run(monkeypatch)
    pipenv.install_dependencies(ictx_for(ctx, reused=True), "key", "key")
    assert fake.calls == []
    assert "nothing to install" in capsys.readouterr().out
    # Not reused, or a changed key: install.
    pipenv.install_dependencies(ictx_for(ctx, reused=False), "key", "key")
    pipenv.install_dependencies(ictx_for(ctx, reused=True), "key", "other")
    assert len(fake.calls) == 2


def test_unchanged_lock_with_path_dependency_still_installs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = {**LOCK, "default": {"pkg": {"editable": True, "path": "./pkg"}}}
    ctx = ctx_for(make_app(tmp_path, lock))
    fake = fake_run(monkeypatch)
    pipenv.install_dependencies(ictx_for(ctx, reused=True), "key", "key")
    assert len(fake.calls) == 1


def test_out_of_sync_lock_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = ctx_for(make_app(tmp_path))
    log = "Your Pipfile.lock (abc) is out of date. Expected: (def).\nERROR:: Aborting deploy\n"
    fake_run(monkeypatch, Result(1, log))
    with pytest.raises(PipenvLockOutOfSync) as info:
        pipenv.install_dependencies(ictx_for(ctx), "key", "")
    assert info.value.reason == "install-dependencies::pipenv"
    assert info.value.detail == "lockfile-out-of-date"
    assert_snapshot("pipenv_lockfile_out_of_sync_unit", render(info.value))


def test_failed_install_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = ctx_for(make_app(tmp_path))
    fake_run(monkeypatch, Result(1, "ERROR: No matching distribution found for flask==0.0.1"))
    with pytest.raises(PipenvDependenciesFailed) as info:
        pipenv.install_dependencies(ictx_for(ctx), "key", "")
    assert info.value.reason == "install-dependencies::pipenv"
    assert info.value.detail is None
    assert_snapshot("pipenv_install_failed", render(info.value))


def test_failed_install_with_known_cause_has_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = ctx_for(make_app(tmp_path))
    fake_run(monkeypatch, Result(1, "fatal error: sqlite3.h: No such file or directory"))
    with pytest.raises(PipenvDependenciesFailed) as info:
        pipenv.install_dependencies(ictx_for(ctx), "key", "")
    assert info.value.detail == "sqlite-headers"
    assert "A likely cause" in info.value.body


def test_lock_without_pipfile_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = ctx_for(make_app(tmp_path, pipfile=False))
    fake = fake_run(monkeypatch)
    with pytest.raises(PipenvMissingPipfile) as info:
        pipenv.install_dependencies(ictx_for(ctx), "key", "")
    assert fake.calls == []
    assert info.value.reason == "install-dependencies::pipenv"
    assert_snapshot("pipenv_pipfile_missing", render(info.value))
