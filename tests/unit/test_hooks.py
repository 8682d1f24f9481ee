"""Tests for lib/python_buildpack/hooks.py and errors/hooks.py: the app's build hooks and the
environment hooks and framework steps run with."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from python_buildpack import hooks
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.hooks import HookFailed, HookNotRunnable, describe_status
from python_buildpack.report import BuildReport
from tests.support.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parents[2]


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def make_ctx(tmp_path: Path, config: dict[str, str] | None = None) -> BuildContext:
    build = tmp_path / "build"
    (build / "bin").mkdir(parents=True, exist_ok=True)
    (tmp_path / "cache").mkdir(exist_ok=True)
    return BuildContext(
        build_dir=build,
        cache_dir=tmp_path / "cache",
        env_dir=tmp_path / "env",
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars=config or {},
        environ={"PATH": "/usr/bin:/bin", "PYTHONHOME": "/x", "PYTHONPATH": "/y", "HOME": "/app"},
    )


def write_hook(ctx: BuildContext, name: str, text: str, mode: int = 0o644) -> Path:
    path = ctx.build_dir / "bin" / name
    path.write_text(text)
    path.chmod(mode)
    return path


CHILD_ENV = {"PATH": "/app/.heroku/python/bin:/usr/bin:/bin", "LD_LIBRARY_PATH": "/app/.heroku/python/lib"}


def test_base_env_is_the_build_env_without_pythonhome(tmp_path: Path) -> None:
    env = hooks.base_env(make_ctx(tmp_path))
    assert env["PATH"] == "/app/.heroku/python/bin:/usr/bin:/bin"
    assert env["LANG"] == "en_US.UTF-8"
    assert "PYTHONHOME" not in env
    assert "PYTHONPATH" not in env


def test_hook_env_adds_dirs_and_allowed_config_vars(tmp_path: Path) -> None:
    config = {
        "MY_VAR": "1",
        "PATH": "/bad",
        "LD_PRELOAD": "/bad.so",
        "LD_LIBRARY_PATH": "/bad",
        "LIBRARY_PATH": "/bad",
        "CPATH": "/bad",
        "PYTHONHOME": "/bad",
        "PYTHONPATH": "src",
    }
    ctx = make_ctx(tmp_path, config)
    env = hooks.hook_env(ctx, CHILD_ENV)
    assert env["MY_VAR"] == "1"
    assert env["PATH"] == CHILD_ENV["PATH"]
    assert env["LD_LIBRARY_PATH"] == CHILD_ENV["LD_LIBRARY_PATH"]
    for name in ("LD_PRELOAD", "LIBRARY_PATH", "CPATH", "PYTHONHOME"):
        assert name not in env
    assert env["PYTHONPATH"] == "src"
    assert env["BUILD_DIR"] == str(ctx.build_dir)
    assert env["CACHE_DIR"] == str(ctx.cache_dir)
    assert env["ENV_DIR"] == str(ctx.env_dir)


def test_missing_hook_is_recorded_as_false(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path)
    report = BuildReport(tmp_path / "report.json")
    hooks.run_hook(ctx, report, "pre_compile", CHILD_ENV)
    assert report.data == {"pre_compile_hook": False}
    assert capsys.readouterr().out == ""


def test_hook_runs_in_build_dir_with_config_vars(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path, {"MY_VAR": "hello", "PATH": "/bad"})
    path = write_hook(ctx, "post_compile", '#!/bin/sh\necho "var=$MY_VAR cwd=$(pwd) path=$PATH"\n')
    report = BuildReport(tmp_path / "report.json")
    hooks.run_hook(ctx, report, "post_compile", CHILD_ENV)
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "-----> Running bin/post_compile hook",
        f"       var=hello cwd={ctx.build_dir} path={CHILD_ENV['PATH']}",
    ]
    assert os.access(path, os.X_OK)
    assert report.data["post_compile_hook"] is True
    assert isinstance(report.data["post_compile_hook_duration"], float)


def test_hook_without_shebang_runs_with_bash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path)
    write_hook(ctx, "pre_compile", 'arr=(a b); echo "bash ${#arr[@]}"\n')
    hooks.run_hook(ctx, BuildReport(tmp_path / "r.json"), "pre_compile", CHILD_ENV)
    assert "       bash 2" in capsys.readouterr().out


def test_failing_hook_raises_with_name_and_status(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    write_hook(ctx, "post_compile", "#!/bin/sh\necho oops >&2\nexit 3\n")
    report = BuildReport(tmp_path / "r.json")
    with pytest.raises(HookFailed) as info:
        hooks.run_hook(ctx, report, "post_compile", CHILD_ENV)
    err = info.value
    assert err.reason == "hooks::post_compile"
    assert err.detail == "exit status 3"
    assert "post_compile_hook_duration" in report.data
    assert_snapshot("hooks_failed_unit", render(err))


def test_hook_killed_by_a_signal(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    write_hook(ctx, "pre_compile", "#!/bin/sh\nkill -KILL $$\n")
    with pytest.raises(HookFailed) as info:
        hooks.run_hook(ctx, BuildReport(tmp_path / "r.json"), "pre_compile", CHILD_ENV)
    assert info.value.detail == "killed by SIGKILL"
    assert info.value.title == "The bin/pre_compile hook failed (killed by SIGKILL)"


def test_hook_with_crlf_shebang_is_not_runnable(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    write_hook(ctx, "pre_compile", "#!/bin/sh\r\necho hi\r\n")
    with pytest.raises(HookNotRunnable) as info:
        hooks.run_hook(ctx, BuildReport(tmp_path / "r.json"), "pre_compile", CHILD_ENV)
    assert info.value.reason == "hooks::pre_compile"
    text = render(info.value).replace(str(ctx.build_dir), "<build>")
    assert_snapshot("hooks_not_runnable", text)


def test_hook_that_deletes_the_cache_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path)
    (ctx.cache_dir / "build-data").mkdir(parents=True)
    write_hook(ctx, "post_compile", '#!/bin/sh\nrm -rf "$CACHE_DIR"\n')
    report = BuildReport.start(ctx.cache_dir)
    hooks.run_hook(ctx, report, "post_compile", CHILD_ENV)
    assert ctx.cache_dir.is_dir()
    assert "removed the cache directory" in capsys.readouterr().out
    report.save()
    assert report.path.is_file()
    shutil.rmtree(ctx.cache_dir)


@pytest.mark.parametrize(
    ("code", "text"), [(1, "exit status 1"), (127, "exit status 127"), (-15, "killed by SIGTERM")]
)
def test_describe_status(code: int, text: str) -> None:
    assert describe_status(code) == text
