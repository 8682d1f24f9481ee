"""Tests for lib/python_buildpack/ci_test.py: choosing the test command, its environment, and
its exit status becoming bin/test's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from python_buildpack import ci_test, cli
from python_buildpack.errors.ci import AppJsonInvalid, TestPythonMissing
from tests.support.snapshots import assert_snapshot

# Stands in for the runtime's python: says how it was run, exits with $FAKE_EXIT.
FAKE_PYTHON = """#!/bin/sh
echo "fake python: $*"
echo "cwd: $(pwd)"
echo "PYTHONHOME=$PYTHONHOME"
echo "SECRET_FROM_CONFIG=${SECRET_FROM_CONFIG:-}"
if [ -n "${FAKE_SIGNAL:-}" ]; then kill -"$FAKE_SIGNAL" $$; fi
exit "${FAKE_EXIT:-0}"
"""


@pytest.fixture(autouse=True)
def no_color_and_private_app_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    # Never touch the real /app from unit tests.
    monkeypatch.setattr(ci_test, "APP_DIR", tmp_path / "app")


def make_runtime(build_dir: Path, *installed: str) -> Path:
    home = build_dir / ".heroku" / "python"
    (home / "bin").mkdir(parents=True)
    python = home / "bin" / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    site = home / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    for name in installed:
        (site / f"{name}-1.0.dist-info").mkdir()
    return python


def write_app_json(build_dir: Path, scripts: object) -> None:
    (build_dir / "app.json").write_text(json.dumps({"environments": {"test": {"scripts": scripts}}}))


def env_dir(tmp_path: Path, values: dict[str, str]) -> Path:
    path = tmp_path / "env"
    path.mkdir()
    for name, value in values.items():
        (path / name).write_text(value)
    return path


# --- app.json


def test_no_app_json(tmp_path: Path) -> None:
    assert ci_test.app_json_scripts(tmp_path) == {}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"environments": {}},
        {"environments": {"test": {"scripts": {"other": "x"}}}},
        [],
        {"environments": 3},
    ],
)
def test_app_json_without_test_scripts(tmp_path: Path, data: object) -> None:
    (tmp_path / "app.json").write_text(json.dumps(data))
    assert ci_test.app_json_scripts(tmp_path) == {}


def test_app_json_scripts(tmp_path: Path) -> None:
    write_app_json(tmp_path, {"test-setup": "make setup", "test": "pytest -x", "other": "no"})
    assert ci_test.app_json_scripts(tmp_path) == {"test-setup": "make setup", "test": "pytest -x"}


def test_app_json_blank_test_script_is_ignored(tmp_path: Path) -> None:
    write_app_json(tmp_path, {"test": "  "})
    assert ci_test.app_json_scripts(tmp_path) == {}


def test_app_json_invalid_json(tmp_path: Path) -> None:
    (tmp_path / "app.json").write_text("{nope")
    with pytest.raises(AppJsonInvalid) as info:
        ci_test.app_json_scripts(tmp_path)
    assert info.value.reason == "ci::app-json-invalid"


def test_app_json_test_script_not_a_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_app_json(tmp_path, {"test": ["pytest"]})
    with pytest.raises(AppJsonInvalid) as info:
        ci_test.app_json_scripts(tmp_path)
    cli.render_build_error(info.value)
    assert_snapshot("ci_app_json_invalid", capsys.readouterr().err)


# --- choosing the command


def test_pytest_when_installed(tmp_path: Path) -> None:
    python = make_runtime(tmp_path, "pytest", "Django")
    (tmp_path / "manage.py").write_text("")
    [command] = ci_test.choose_commands(tmp_path)
    assert command.args == (str(python), "-m", "pytest")
    assert command.shown == "python -m pytest"
    assert command.cwd == tmp_path


def test_django_runner_for_django_apps(tmp_path: Path) -> None:
    python = make_runtime(tmp_path, "Django")
    (tmp_path / "manage.py").write_text("")
    [command] = ci_test.choose_commands(tmp_path)
    assert command.label == "Running tests with Django's test runner"
    assert command.args == (str(python), "manage.py", "test")
    assert command.cwd == tmp_path


def test_django_runner_in_a_subdirectory(tmp_path: Path) -> None:
    make_runtime(tmp_path, "django")
    (tmp_path / "backend").mkdir()
    (tmp_path / "backend" / "manage.py").write_text("")
    [command] = ci_test.choose_commands(tmp_path)
    assert command.label == "Running tests with Django's test runner in backend/"
    assert command.cwd == tmp_path / "backend"
    assert command.shown == "python manage.py test"


def test_unittest_for_django_without_manage_py(tmp_path: Path) -> None:
    make_runtime(tmp_path, "django")
    [command] = ci_test.choose_commands(tmp_path)
    assert command.shown == "python -m unittest discover"


def test_unittest_otherwise(tmp_path: Path) -> None:
    make_runtime(tmp_path, "six")
    (tmp_path / "manage.py").write_text("")  # not a Django app without Django installed
    [command] = ci_test.choose_commands(tmp_path)
    assert command.label == "Running tests with unittest"
    assert command.shown == "python -m unittest discover"


def test_app_json_wins_and_runs_setup_first(tmp_path: Path) -> None:
    make_runtime(tmp_path, "pytest")
    write_app_json(tmp_path, {"test": "pytest -x", "test-setup": "make setup"})
    setup, test = ci_test.choose_commands(tmp_path)
    assert (setup.args, setup.setup, setup.shown) == (("bash", "-c", "make setup"), True, "make setup")
    assert (test.args, test.setup, test.shown) == (("bash", "-c", "pytest -x"), False, "pytest -x")


def test_test_setup_alone_is_not_run(tmp_path: Path) -> None:
    # Without a test script we may be on Heroku CI, which has run test-setup already.
    make_runtime(tmp_path)
    write_app_json(tmp_path, {"test-setup": "make setup"})
    [command] = ci_test.choose_commands(tmp_path)
    assert command.shown == "python -m unittest discover"


# --- environment


def test_env_points_at_the_build_dir_runtime(tmp_path: Path) -> None:
    environ = {
        "PATH": "/usr/bin:/bin",
        "PYTHONHOME": "/app/.heroku/python",
        "LD_LIBRARY_PATH": "/opt/lib",
        "CI": "true",
    }
    config = {
        "DATABASE_URL": "postgres://x",
        "PATH": "/evil",
        "LD_PRELOAD": "/evil.so",
        "PYTHONHOME": "/evil",
    }
    env = ci_test.test_env(tmp_path, environ, config)
    home = f"{tmp_path}/.heroku/python"
    assert env["PATH"] == f"{home}/bin:/usr/bin:/bin"
    assert env["PYTHONHOME"] == home
    assert env["LD_LIBRARY_PATH"] == f"{home}/lib:/opt/lib"
    assert env["LIBRARY_PATH"] == f"{home}/lib"
    assert env["PYTHONPATH"] == str(tmp_path)
    assert env["PYTHONUNBUFFERED"] == "true"
    assert env["CI"] == "true"
    assert env["DATABASE_URL"] == "postgres://x"
    assert "LD_PRELOAD" not in env


def test_env_keeps_a_user_pythonpath(tmp_path: Path) -> None:
    env = ci_test.test_env(tmp_path, {"PATH": "/bin"}, {"PYTHONPATH": "src"})
    assert env["PYTHONPATH"] == "src"


# --- running


def test_run_passes_the_exit_status_through(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "build"
    make_runtime(build)
    monkeypatch.delenv("SECRET_FROM_CONFIG", raising=False)
    envs = env_dir(tmp_path, {"FAKE_EXIT": "3", "SECRET_FROM_CONFIG": "s3cr3t"})
    assert ci_test.run_tests(build, envs, {"PATH": "/usr/bin:/bin"}) == 3
    out = capfd.readouterr().out
    assert out == (
        "-----> Running tests with unittest: python -m unittest discover\n"
        "fake python: -m unittest discover\n"
        f"cwd: {build}\n"
        f"PYTHONHOME={build}/.heroku/python\n"
        "SECRET_FROM_CONFIG=s3cr3t\n"
        "-----> The tests failed (exit status 3)\n"
    )


def test_run_success(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "build"
    make_runtime(build, "pytest")
    assert ci_test.run_tests(build, None, {"PATH": "/usr/bin:/bin"}) == 0
    out = capfd.readouterr().out
    assert out.startswith("-----> Running tests with pytest: python -m pytest\nfake python: -m pytest\n")
    assert out.endswith("-----> Tests passed\n")


def test_killed_by_a_signal_exits_like_a_shell(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "build"
    make_runtime(build)
    assert ci_test.run_tests(build, None, {"PATH": "/usr/bin:/bin", "FAKE_SIGNAL": "TERM"}) == 143
    assert "-----> The tests failed (exit status 143)" in capfd.readouterr().out


def test_failing_setup_stops_before_the_tests(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "build"
    make_runtime(build)
    write_app_json(build, {"test-setup": "echo setting up; exit 4", "test": "echo testing"})
    assert ci_test.run_tests(build, None, {"PATH": "/usr/bin:/bin"}) == 4
    out = capfd.readouterr().out
    assert "setting up\n" in out
    assert "testing" not in out
    assert out.endswith("-----> The test setup failed (exit status 4)\n")


def test_app_json_script_runs_with_the_runtime_on_path(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    build = tmp_path / "build"
    make_runtime(build)
    write_app_json(build, {"test": "python -c pass && echo from-script"})
    assert ci_test.run_tests(build, None, {"PATH": "/usr/bin:/bin"}) == 0
    out = capfd.readouterr().out
    assert "-----> Running the test script from app.json: python -c pass && echo from-script\n" in out
    assert "fake python: -c pass\n" in out
    assert "from-script\n" in out


def test_links_app_python_to_the_build_dir(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    build = tmp_path / "build"
    make_runtime(build)
    assert ci_test.run_tests(build, None, {"PATH": "/usr/bin:/bin"}) == 0
    link = tmp_path / "app" / ".heroku" / "python"
    assert link.is_symlink()
    assert link.resolve() == (build / ".heroku" / "python").resolve()


def test_no_runtime(tmp_path: Path) -> None:
    with pytest.raises(TestPythonMissing) as info:
        ci_test.run_tests(tmp_path, None, {})
    assert info.value.reason == "ci::python-missing"


def test_no_runtime_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["test", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_snapshot("ci_python_missing", captured.err, replacements={str(tmp_path): "<build_dir>"})


@pytest.mark.parametrize("argv", [[], ["a", "b", "c"]])
def test_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert ci_test.main(argv) == 2
    assert "usage: bin/test BUILD_DIR [ENV_DIR]" in capsys.readouterr().err
