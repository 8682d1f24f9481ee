"""Tests for lib/python_buildpack/cli.py: dispatch and the one place that renders errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from python_buildpack import cli
from python_buildpack.errors import BuildError

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


def install(monkeypatch: pytest.MonkeyPatch, behaviour: BaseException | int) -> list[list[str]]:
    """Replace the detect command with one that raises or returns `behaviour`."""
    calls: list[list[str]] = []

    def command(argv: list[str]) -> int:
        calls.append(argv)
        if isinstance(behaviour, BaseException):
            raise behaviour
        return behaviour

    monkeypatch.setitem(cli.COMMANDS, "detect", command)
    return calls


def test_commands() -> None:
    assert set(cli.COMMANDS) == {"detect", "compile", "test-compile", "release", "report", "test"}


def test_dispatch_passes_remaining_args(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = install(monkeypatch, 7)
    assert cli.main(["detect", "a", "b"]) == 7
    assert calls == [["a", "b"]]


@pytest.mark.parametrize("argv", [[], ["nope"], ["--help"]])
def test_unknown_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: entry.py {detect,compile,test-compile,release,report,test} ARGS...")


def test_build_error_renders_error_block(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    error = BuildError("Something is wrong", "What was found.\n\n1. Fix it.", reason="test::reason")
    install(monkeypatch, error)
    assert cli.main(["detect", "x"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "\n !     Error: Something is wrong\n !\n !     What was found.\n !\n !     1. Fix it.\n\n"
    )
    assert "Traceback" not in captured.err


def test_build_error_subclass(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from python_buildpack.errors.checks import StackUnknown

    install(monkeypatch, StackUnknown("heroku-99"))
    assert cli.main(["detect"]) == 1
    err = capsys.readouterr().err
    assert " !     Error: Unknown stack 'heroku-99'\n" in err
    assert "Traceback" not in err


def test_unexpected_exception_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install(monkeypatch, ValueError("boom"))
    assert cli.main(["detect"]) == 1
    err = capsys.readouterr().err
    assert " !     Internal error: ValueError: boom\n" in err
    assert "This is a bug in the Python buildpack" in err
    assert " !     Traceback (most recent call last):\n" in err
    assert "in command" in err  # the frame that raised
    assert " !     ValueError: boom\n" in err


def test_keyboard_interrupt(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    install(monkeypatch, KeyboardInterrupt())
    assert cli.main(["detect"]) == 130
    err = capsys.readouterr().err
    assert err == "\nInterrupted.\n"


def test_system_exit_passes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, SystemExit(4))
    with pytest.raises(SystemExit):
        cli.main(["detect"])


def test_render_build_error(capsys: pytest.CaptureFixture[str]) -> None:
    cli.render_build_error(BuildError("T", "\nbody\n", reason="r"))
    assert capsys.readouterr().err == "\n !     Error: T\n !\n !     body\n\n"


# --- the real commands -----------------------------------------------------------------------


def test_detect_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["detect", str(FIXTURES / "pip_flask_gunicorn")]) == 0
    assert capsys.readouterr().out == "Python\n"
    assert cli.main(["detect", str(FIXTURES / "no_python_project_files")]) == 1
    assert "Error: No Python project files found" in capsys.readouterr().err


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", str(tmp_path / "build"), str(tmp_path / "cache")]) == 0
    assert capsys.readouterr().out == "{}\n"
    assert cli.main(["report", "build", str(tmp_path), "env"]) == 0
    capsys.readouterr()


def test_report_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "build"]) == 2
    assert capsys.readouterr().err.startswith("usage: bin/report")


@pytest.mark.parametrize("command", ["compile", "test-compile"])
@pytest.mark.parametrize("argv", [[], ["build"], ["build", "cache"], ["a", "b", "c", "d"]])
def test_compile_usage(command: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([command, *argv]) == 2
    assert capsys.readouterr().err.startswith("usage: bin/compile BUILD_DIR CACHE_DIR ENV_DIR")


@pytest.mark.parametrize(("command", "test"), [("compile", False), ("test-compile", True)])
def test_compile_dispatch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, test: bool) -> None:
    from python_buildpack import compile as compile_module

    calls: list[tuple[str, str, str, bool, object]] = []

    def fake_compile(
        build: str, cache: str, env: str, *, test: bool = False, early_copy: object = None
    ) -> int:
        calls.append((build, cache, env, test, early_copy))
        return 0

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(compile_module, "compile_app", fake_compile)
    assert cli.main([command, "b", "c", "e"]) == 0
    assert calls == [("b", "c", "e", test, None)]  # an empty cache: nothing to copy early


def test_compile_build_error_from_real_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A missing STACK fails in the analysis phase, before anything is downloaded.
    monkeypatch.delenv("STACK", raising=False)
    build = tmp_path / "build"
    build.mkdir()
    (build / "requirements.txt").write_text("")
    assert cli.main(["compile", str(build), str(tmp_path / "cache"), str(tmp_path / "env")]) == 1
    err = capsys.readouterr().err
    assert " !     Error: The STACK environment variable is not set\n" in err
    assert "Traceback" not in err
