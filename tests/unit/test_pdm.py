"""Unit tests for package_managers/pdm.py: commands, environment, install key, skipping, the
lock check and classifying failures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from python_buildpack import environment
from python_buildpack import tools as tools_module
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.package_managers import PdmLockfileOutOfSync, PdmSyncFailed
from python_buildpack.package_managers import InstallContext, pdm
from python_buildpack.process import Result

BUILDPACK_DIR = Path(__file__).resolve().parents[2]
PYPROJECT = '[project]\nname = "app"\nversion = "0"\n\n[tool.pdm]\ndistribution = false\n'
LOCK = '[[package]]\nname = "flask"\nversion = "3.1.3"\n'


def make_ctx(tmp_path: Path, environ: dict[str, str] | None = None) -> BuildContext:
    build = tmp_path / "build"
    build.mkdir(exist_ok=True)
    return BuildContext(
        build_dir=build,
        cache_dir=tmp_path / "cache",
        env_dir=None,
        buildpack_dir=BUILDPACK_DIR,
        stack="heroku-24",
        arch="amd64",
        config_vars={},
        environ=environ or {},
    )


def make_app(ctx: BuildContext, pyproject: str = PYPROJECT, lock: str = LOCK) -> None:
    (ctx.build_dir / "pyproject.toml").write_text(pyproject)
    (ctx.build_dir / "pdm.lock").write_text(lock)


def ictx(ctx: BuildContext, env: dict[str, str] | None = None, reused: bool = True) -> InstallContext:
    return InstallContext(ctx=ctx, env=env or {}, python_version="3.12.1", cache_reused=reused)


def test_command_uses_the_app_as_global_project(tmp_path: Path) -> None:
    assert pdm.command(make_ctx(tmp_path)) == [
        "sync",
        "--global",
        "--project",
        ".",
        "--prod",
        "--clean-unselected",
    ]
    assert "--prod" not in pdm.command(make_ctx(tmp_path, {"INSTALL_TEST": "1"}))


def test_build_env_points_pdm_at_the_runtime_with_caches_in_the_cache(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    env = environment.apply(pdm.build_env(ctx), {"PATH": "/usr/bin"})
    assert env["PDM_PYTHON"] == "/app/.heroku/python/bin/python"
    assert env["PDM_CACHE_DIR"] == str(ctx.cache_dir / ".heroku" / "pdm-cache")
    assert env["PDM_LOG_DIR"] == str(ctx.cache_dir / ".heroku" / "pdm-log")
    assert env["PDM_CHECK_UPDATE"] == "false"
    assert env["PATH"] == f"{ctx.cache_dir}/.heroku/python-pdm/bin:/usr/bin"


def test_nothing_of_pdm_at_runtime_but_later_buildpacks_get_it(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    assert pdm.runtime_env(ctx) == []
    export = environment.render_export(environment.runtime_env(pdm.export_env(ctx)))
    assert "python-pdm/bin" in export
    assert 'PDM_PYTHON="/app/.heroku/python/bin/python"' in export
    assert pdm.cache_inputs(ctx) == {}


@pytest.mark.parametrize("change", ["lock", "pyproject", "setting", "test"])
def test_install_key_changes_with_every_input(tmp_path: Path, change: str) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx)
    env = {"PDM_PYPI_URL": "http://a/simple/", "OTHER": "1"}
    before = pdm.install_key(ictx(ctx, env))
    assert before == pdm.install_key(ictx(ctx, {**env, "OTHER": "2"}))
    if change == "lock":
        (ctx.build_dir / "pdm.lock").write_text(LOCK + "\n")
    elif change == "pyproject":
        (ctx.build_dir / "pyproject.toml").write_text(PYPROJECT + "\n")
    elif change == "setting":
        env["PDM_PYPI_URL"] = "http://b/simple/"
    else:
        ctx = make_ctx(tmp_path, {"INSTALL_TEST": "1"})
    assert pdm.install_key(ictx(ctx, env)) != before


@pytest.mark.parametrize(
    ("pyproject", "lock", "expected"),
    [
        (PYPROJECT, LOCK, False),
        ('[project]\nname = "app"\n', LOCK, False),  # no build system: not a distribution
        ('[project]\nname = "app"\n[build-system]\nrequires = []\n', LOCK, True),
        ('[project]\nname = "app"\n[tool.pdm]\ndistribution = true\n', LOCK, True),
        (PYPROJECT, LOCK + 'path = "./packages/localpkg"\n', True),
        (PYPROJECT, LOCK + "editable = true\n", True),
        ("not toml [", LOCK, True),
    ],
)
def test_installs_app_files(tmp_path: Path, pyproject: str, lock: str, expected: bool) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx, pyproject, lock)
    assert pdm.installs_app_files(ctx) is expected


class FakeRun:
    def __init__(self, *results: Result) -> None:
        self.results = list(results)
        self.calls: list[list[str]] = []

    def __call__(self, args: Sequence[str | Path], **kwargs: object) -> Result:
        self.calls.append([str(a) for a in args])
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


def test_lock_is_checked_before_syncing_unless_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx, '[project]\nname = "app"\n[tool.pdm]\ndistribution = true\n')
    fake = FakeRun(Result(0, ""))
    monkeypatch.setattr(pdm, "run_streamed", fake)
    pdm_bin = f"{ctx.cache_dir}/.heroku/python-pdm/bin/pdm"
    pdm.install_dependencies(ictx(ctx), "k", "old")
    assert fake.calls == [
        [pdm_bin, "lock", "--check", "--global", "--project", "."],
        [pdm_bin, *pdm.command(ctx)],
    ]
    # Same inputs as the last build, but the project is installed from the app: sync only.
    fake.calls.clear()
    pdm.install_dependencies(ictx(ctx), "k", "k")
    assert fake.calls == [[pdm_bin, *pdm.command(ctx)]]


def test_unchanged_static_app_skips_pdm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx)
    fake = FakeRun(Result(0, ""))
    monkeypatch.setattr(pdm, "run_streamed", fake)
    pdm.install_dependencies(ictx(ctx), "k", "k")
    assert fake.calls == []
    assert "pdm.lock unchanged since the last build, nothing to install" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("check", "sync", "error", "detail"),
    [
        ("WARNING: Lockfile doesn't satisfy the project requirements", "", PdmLockfileOutOfSync, None),
        ("WARNING: Lockfile is not compatible with PDM", "", PdmLockfileOutOfSync, None),
        ("[TOMLDecodeError]: bad pyproject", "", PdmSyncFailed, "[TOMLDecodeError]: bad pyproject"),
        (None, "[NotFound]: no candidate for flask", PdmSyncFailed, "[NotFound]: no candidate for flask"),
    ],
)
def test_failures_are_classified(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    check: str | None,
    sync: str,
    error: type[BuildError],
    detail: str | None,
) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx)
    results = [Result(1, check)] if check is not None else [Result(0, ""), Result(1, sync)]
    monkeypatch.setattr(pdm, "run_streamed", FakeRun(*results))
    with pytest.raises(error) as caught:
        pdm.install_dependencies(ictx(ctx), "k", "")
    assert caught.value.reason == "install-dependencies::pdm"
    if detail is not None:
        assert caught.value.detail == detail


def test_tool_install_requests_a_compatible_pdm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = make_ctx(tmp_path)
    seen: list[Sequence[str]] = []

    def fake_install(
        ctx: BuildContext, env: object, *, dest: Path, requirements: Sequence[str], **kw: object
    ) -> Path:
        seen.append(requirements)
        (dest / "bin").mkdir(parents=True)
        (dest / "bin" / "pdm").write_text(f"#!{dest}/bin/python\n")
        (dest / ".installed").touch()
        return dest

    monkeypatch.setattr(tools_module, "install_venv_tool", fake_install)
    version = pdm.install_tool(ictx(ctx))
    assert seen == [[f"pdm=={version}", "hishel<2"]]
    assert (ctx.cache_dir / ".heroku" / "python-pdm" / "bin" / "pdm").resolve() == (
        ctx.cache_dir / ".heroku" / "python-pdm" / f"{version}-py3.12" / "bin" / "pdm"
    )
