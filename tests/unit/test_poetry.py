"""Unit tests for package_managers/poetry.py: command, environment, install key, skipping,
the cached tool venv and classifying failures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from python_buildpack import environment
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.package_managers import PoetryLockfileOutOfSync, PoetrySyncFailed
from python_buildpack.package_managers import InstallContext, poetry
from python_buildpack.process import Result

BUILDPACK_DIR = Path(__file__).resolve().parents[2]
PYPROJECT = '[project]\nname = "app"\nversion = "0"\n\n[tool.poetry]\npackage-mode = false\n'
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
    (ctx.build_dir / "poetry.lock").write_text(lock)


def ictx(ctx: BuildContext, env: dict[str, str] | None = None, reused: bool = True) -> InstallContext:
    return InstallContext(ctx=ctx, env=env or {}, python_version="3.12.1", cache_reused=reused)


def test_command_only_main_outside_ci(tmp_path: Path) -> None:
    assert poetry.command(make_ctx(tmp_path)) == [
        "sync",
        "--only",
        "main",
        "--compile",
        "--no-ansi",
        "--no-interaction",
    ]
    ci = make_ctx(tmp_path, {"INSTALL_TEST": "1"})
    assert "--only" not in poetry.command(ci)


def test_build_env_installs_into_the_runtime_with_caches_in_the_cache(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    env = environment.apply(poetry.build_env(ctx), {"PATH": "/usr/bin"})
    assert env["POETRY_VIRTUALENVS_CREATE"] == "false"
    assert env["POETRY_VIRTUALENVS_USE_POETRY_PYTHON"] == "true"
    assert env["POETRY_CACHE_DIR"] == str(ctx.cache_dir / ".heroku" / "poetry-cache")
    assert env["PATH"] == f"{ctx.cache_dir}/.heroku/python-poetry/bin:/usr/bin"


def test_nothing_of_poetry_at_runtime_but_later_buildpacks_get_it(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    assert poetry.runtime_env(ctx) == []
    export = environment.render_export(environment.runtime_env(poetry.export_env(ctx)))
    assert "python-poetry/bin" in export
    assert 'POETRY_VIRTUALENVS_CREATE="false"' in export
    assert poetry.cache_inputs(ctx) == {}


def test_tool_version_comes_from_the_pins_file(tmp_path: Path) -> None:
    from python_buildpack import tool_pins

    assert poetry.tool_version(make_ctx(tmp_path)) == tool_pins.version(BUILDPACK_DIR, "poetry")


@pytest.mark.parametrize(
    "change",
    ["lock", "pyproject", "setting", "test"],
)
def test_install_key_changes_with_every_input(tmp_path: Path, change: str) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx)
    env = {"POETRY_HTTP_BASIC_X_PASSWORD": "a", "OTHER": "1"}
    before = poetry.install_key(ictx(ctx, env))
    assert before == poetry.install_key(ictx(ctx, {**env, "OTHER": "2"}))
    if change == "lock":
        (ctx.build_dir / "poetry.lock").write_text(LOCK + "\n")
    elif change == "pyproject":
        (ctx.build_dir / "pyproject.toml").write_text(PYPROJECT + "\n")
    elif change == "setting":
        env["POETRY_HTTP_BASIC_X_PASSWORD"] = "b"
    else:
        ctx = make_ctx(tmp_path, {"INSTALL_TEST": "1"})
    assert poetry.install_key(ictx(ctx, env)) != before


@pytest.mark.parametrize(
    ("pyproject", "lock", "expected"),
    [
        (PYPROJECT, LOCK, False),
        ('[project]\nname = "app"\n', LOCK, True),  # package mode installs the project itself
        (PYPROJECT, LOCK + '[package.source]\ntype = "directory"\nurl = "pkg"\n', True),
        (PYPROJECT, LOCK + '[package.source]\ntype = "file"\nurl = "a.whl"\n', True),
        (PYPROJECT, LOCK + '[package.source]\ntype = "git"\nurl = "x"\n', False),
        ("not toml [", LOCK, True),
    ],
)
def test_installs_app_files(tmp_path: Path, pyproject: str, lock: str, expected: bool) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx, pyproject, lock)
    assert poetry.installs_app_files(ctx) is expected


class FakeRun:
    def __init__(self, result: Result) -> None:
        self.result = result
        self.calls: list[list[str]] = []

    def __call__(self, args: Sequence[str | Path], **kwargs: object) -> Result:
        self.calls.append([str(a) for a in args])
        return self.result


def test_unchanged_static_app_skips_poetry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx)
    fake = FakeRun(Result(0, ""))
    monkeypatch.setattr(poetry, "run_streamed", fake)
    poetry.install_dependencies(ictx(ctx), "k", "k")
    assert fake.calls == []
    assert "poetry.lock unchanged since the last build, nothing to install" in capsys.readouterr().out

    poetry.install_dependencies(ictx(ctx, reused=False), "k", "k")
    poetry.install_dependencies(ictx(ctx), "k", "other")
    assert len(fake.calls) == 2
    assert fake.calls[0][0] == f"{ctx.cache_dir}/.heroku/python-poetry/bin/poetry"
    assert "Installing dependencies using 'poetry sync --only main'" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("log", "error"),
    [
        (
            "pyproject.toml changed significantly since poetry.lock was last generated. "
            "Run `poetry lock` to fix the lock file.",
            PoetryLockfileOutOfSync,
        ),
        ("HTTPError\n\n404 Client Error: Not Found for url: http://x/simple/flask/", PoetrySyncFailed),
    ],
)
def test_failures_are_classified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log: str, error: type[BuildError]
) -> None:
    ctx = make_ctx(tmp_path)
    make_app(ctx)
    monkeypatch.setattr(poetry, "run_streamed", FakeRun(Result(1, log)))
    with pytest.raises(error) as caught:
        poetry.install_dependencies(ictx(ctx), "k", "")
    assert caught.value.reason == "install-dependencies::poetry"
    if error is PoetrySyncFailed:
        assert caught.value.detail == "404 Client Error: Not Found for url: http://x/simple/flask/"


def _fake_venv(dest: Path, name: str) -> None:
    (dest / "bin").mkdir(parents=True)
    (dest / "bin" / name).write_text(f"#!{dest}/bin/python\n")
    (dest / ".installed").touch()


def test_cached_tool_is_reused_and_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = make_ctx(tmp_path)
    installs: list[Path] = []

    def fake_install(ctx: BuildContext, env: object, *, dest: Path, **kwargs: object) -> Path:
        installs.append(dest)
        _fake_venv(dest, "poetry")
        return dest

    monkeypatch.setattr(poetry.tools, "install_venv_tool", fake_install)
    root = ctx.cache_dir / ".heroku" / "python-poetry"
    (root / "1.0.0-py3.12").mkdir(parents=True)  # an older version, removed
    version = poetry.install_tool(ictx(ctx))
    venv = root / f"{version}-py3.12"
    assert installs == [venv]
    assert sorted(p.name for p in root.iterdir()) == sorted(["bin", venv.name])
    assert (root / "bin" / "poetry").resolve() == venv / "bin" / "poetry"
    assert f"Installing Poetry {version}" in capsys.readouterr().out

    poetry.install_tool(ictx(ctx))
    assert len(installs) == 1
    assert f"Using cached Poetry {version}" in capsys.readouterr().out


def test_tool_venv_from_a_moved_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = make_ctx(tmp_path)
    version = poetry.tool_version(ctx)
    venv = ctx.cache_dir / ".heroku" / "python-poetry" / f"{version}-py3.12"
    _fake_venv(venv, "poetry")
    (venv / "bin" / "poetry").write_text("#!/somewhere/else/bin/python\n")
    installs: list[Path] = []

    def fake_install(ctx: BuildContext, env: object, *, dest: Path, **kwargs: object) -> Path:
        assert not dest.exists()  # the broken venv was removed first
        installs.append(dest)
        _fake_venv(dest, "poetry")
        return dest

    monkeypatch.setattr(poetry.tools, "install_venv_tool", fake_install)
    poetry.install_tool(ictx(ctx))
    assert installs == [venv]
