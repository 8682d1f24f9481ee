"""Tests for lib/python_buildpack/package_managers/uv.py (the command, env, skip rule and error
classification); real installs are in tests/integration/test_uv.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from python_buildpack import environment
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.package_managers import UvLockfileOutOfSync, UvPythonIncompatible, UvSyncFailed
from python_buildpack.package_managers import InstallContext, uv
from python_buildpack.process import Result
from tests.support.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parents[2]


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def make_ctx(tmp_path: Path, *, test: bool = False) -> BuildContext:
    build = tmp_path / "build"
    build.mkdir(exist_ok=True)
    (build / "uv.lock").write_text('version = 1\nrequires-python = ">=3.12"\n')
    (build / "pyproject.toml").write_text('[project]\nname = "x"\nrequires-python = ">=3.12"\n')
    (tmp_path / "cache").mkdir(exist_ok=True)
    return BuildContext(
        build_dir=build,
        cache_dir=tmp_path / "cache",
        env_dir=None,
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars={},
        environ={"INSTALL_TEST": "1"} if test else {},
    )


def ictx(ctx: BuildContext, *, reused: bool = True, env: dict[str, str] | None = None) -> InstallContext:
    return InstallContext(ctx=ctx, env=env or {}, python_version="3.12.1", cache_reused=reused)


def test_module_constants() -> None:
    assert (uv.NAME, uv.DISPLAY, uv.LOCKFILES) == ("uv", "uv", ("uv.lock",))
    assert uv.tool_version(make_ctx_static()) == "0.13.9"


def make_ctx_static() -> BuildContext:
    return BuildContext(
        Path("/nonexistent"), Path("/nonexistent-cache"), None, REPO, "heroku-24", "amd64", {}, {}
    )


def test_command(tmp_path: Path) -> None:
    assert uv.command(make_ctx(tmp_path)) == [
        "sync",
        "--locked",
        "--no-default-groups",
        "--compile-bytecode",
        "--no-progress",
    ]
    assert uv.command(make_ctx(tmp_path, test=True), compile_bytecode=False) == [
        "sync",
        "--locked",
        "--no-progress",
    ]


def test_build_env(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    env = environment.apply(environment.build_env(uv.build_env(ctx)), {"PATH": "/usr/bin"})
    assert env["UV_PROJECT_ENVIRONMENT"] == "/app/.heroku/python"
    assert env["UV_PYTHON"] == "/app/.heroku/python/bin/python"
    assert env["UV_PYTHON_DOWNLOADS"] == "never"
    assert env["UV_NO_MANAGED_PYTHON"] == "1"
    assert env["UV_CACHE_DIR"] == str(tmp_path / "cache" / ".heroku" / "uv-cache")
    assert env["UV_LINK_MODE"] == "hardlink"  # same filesystem
    assert env["PATH"] == f"/app/.heroku/python/bin:{tmp_path}/cache/.heroku/python-uv/0.13.9/bin:/usr/bin"
    assert uv.runtime_env(ctx) == []
    assert uv.export_env(ctx) == uv.build_env(ctx)


def test_link_mode_copies_across_filesystems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = make_ctx(tmp_path)
    import os

    real_stat = os.stat

    class FakeStat:
        def __init__(self, dev: int) -> None:
            self.st_dev = dev

    def fake_stat(path: object) -> object:
        return FakeStat(1) if Path(str(path)) == ctx.cache_dir else real_stat(str(path))

    monkeypatch.setattr(os, "stat", fake_stat)
    assert uv._link_mode(ctx) == "copy"


def test_install_key_inputs(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    base = uv.install_key(ictx(ctx))
    assert uv.install_key(ictx(ctx)) == base
    assert uv.install_key(ictx(ctx, env={"UV_INDEX_URL": "http://x"})) != base
    assert uv.install_key(ictx(ctx, env={"PIP_INDEX_URL": "http://x"})) == base
    assert uv.install_key(ictx(make_ctx(tmp_path, test=True))) != base
    (ctx.build_dir / "pyproject.toml").write_text("[project]\n")
    assert uv.install_key(ictx(ctx)) != base


@pytest.mark.parametrize(
    ("line", "local"),
    [
        ('source = { editable = "." }', True),
        ('source = { directory = "packages/x" }', True),
        ('source = { path = "dist/x-1.0-py3-none-any.whl" }', True),
        ('source = { virtual = "." }', False),
        ('source = { registry = "http://127.0.0.1/simple/" }', False),
        ('source = { git = "https://example.com/x.git?rev=1#abc" }', False),
    ],
)
def test_local_sources(line: str, local: bool) -> None:
    assert uv.has_local_sources(f'version = 1\n\n[[package]]\nname = "x"\n{line}\n') is local


class Runs:
    def __init__(self, result: Result) -> None:
        self.result = result
        self.calls: list[list[str]] = []

    def __call__(self, args: list[object], **kwargs: object) -> Result:
        self.calls.append([str(a) for a in args])
        return self.result


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    fake = Runs(Result(0, ""))
    monkeypatch.setattr(uv, "run_streamed", fake)
    return fake


def test_unchanged_warm_build_skips_sync(
    tmp_path: Path, runs: Runs, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = make_ctx(tmp_path)
    uv.install_dependencies(ictx(ctx), "k", "k")
    assert runs.calls == []
    assert "nothing to install" in capsys.readouterr().out


@pytest.mark.parametrize(("reused", "previous"), [(False, "k"), (True, "other")])
def test_changed_or_cold_build_syncs_with_bytecode(
    tmp_path: Path, runs: Runs, reused: bool, previous: str
) -> None:
    ctx = make_ctx(tmp_path)
    uv.install_dependencies(ictx(ctx, reused=reused), "k", previous)
    assert len(runs.calls) == 1
    assert runs.calls[0][0].endswith("/.heroku/python-uv/0.13.9/bin/uv")
    assert "--compile-bytecode" in runs.calls[0]


def test_unchanged_with_local_sources_syncs_without_recompiling(tmp_path: Path, runs: Runs) -> None:
    ctx = make_ctx(tmp_path)
    (ctx.build_dir / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "x"\nsource = { editable = "." }\n'
    )
    uv.install_dependencies(ictx(ctx), "k", "k")
    assert len(runs.calls) == 1
    assert "--compile-bytecode" not in runs.calls[0]


OUT_OF_SYNC = (
    "Resolved 3 packages in 1ms\n"
    "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided. "
    "To update the lockfile, run `uv lock`."
)
INCOMPATIBLE = (
    "error: The current Python version (3.13.0) is not compatible with the locked Python requirement:"
    " `>=3.12, <3.13`"
)


@pytest.mark.parametrize(
    ("log", "error", "detail"),
    [
        (OUT_OF_SYNC, UvLockfileOutOfSync, "lockfile-out-of-sync"),
        (INCOMPATIBLE, UvPythonIncompatible, "python-incompatible"),
        ("error: Failed to fetch: `http://127.0.0.1/simple/six/`", UvSyncFailed, None),
    ],
)
def test_failures_are_classified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log: str, error: type[BuildError], detail: str | None
) -> None:
    monkeypatch.setattr(uv, "run_streamed", Runs(Result(2, log)))
    with pytest.raises(error) as info:
        uv.install_dependencies(ictx(make_ctx(tmp_path), reused=False), "k", "")
    e = info.value
    assert e.reason == "install-dependencies::uv"
    if detail:
        assert e.detail == detail
    else:
        assert e.detail == "error: Failed to fetch: `http://127.0.0.1/simple/six/`"
    assert_snapshot(f"uv_{error.__name__}", render(e))
