"""bin/test BUILD_DIR [ENV_DIR]: run the app's tests after bin/test-compile. Stdlib only.

Heroku CI runs app.json's `environments.test.scripts.test` itself and calls bin/test only when
there is none; herokuish (GitLab Auto DevOps) always calls bin/test. So:
- app.json defines `test`: we are not on Heroku CI; run its `test-setup` (if any) then `test`,
  both with bash in BUILD_DIR, as Heroku CI would.
- otherwise: `python -m pytest` when pytest is installed, else `python manage.py test` for Django
  apps (manage.py in the root, or the shallowest one up to 3 levels down), else
  `python -m unittest discover`. `test-setup` is not run then: Heroku CI has already run it.
The command runs with the app's runtime environment for BUILD_DIR (which need not be /app) and
the config vars from ENV_DIR; its output is not touched and its exit status is ours.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import config_vars, environment, output
from .context import APP_DIR, read_env_dir
from .django import distribution_installed, django_installed, find_manage_py
from .errors.ci import AppJsonInvalid, TestPythonMissing


@dataclass(frozen=True)
class TestCommand:
    __test__ = False  # not a pytest test class, despite the name

    label: str  # what the step line says runs it
    args: tuple[str, ...]
    cwd: Path
    shown: str  # the command as the user would type it
    setup: bool = False


def app_json_scripts(build_dir: Path) -> dict[str, str]:
    """`environments.test.scripts` from app.json: only the `test-setup` and `test` entries."""
    path = build_dir / "app.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise AppJsonInvalid("app.json is not valid JSON") from err
    scripts: object = data
    for key in ("environments", "test", "scripts"):
        if not isinstance(scripts, dict):
            return {}
        scripts = scripts.get(key)
    if not isinstance(scripts, dict):
        return {}
    found = {}
    for name in ("test-setup", "test"):
        value = scripts.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise AppJsonInvalid(f"its `{name}` entry is not a string")
        if value.strip():
            found[name] = value
    return found


def choose_commands(build_dir: Path) -> list[TestCommand]:
    """The commands to run, in order: app.json's (setup, test), or the one fallback."""
    scripts = app_json_scripts(build_dir)
    if "test" in scripts:
        return [
            TestCommand(
                f"Running the {name} script from app.json",
                ("bash", "-c", scripts[name]),
                build_dir,
                scripts[name],
                setup=name == "test-setup",
            )
            for name in ("test-setup", "test")
            if name in scripts
        ]
    home = build_dir / ".heroku" / "python"
    if distribution_installed(home, "pytest"):
        return [_python_command("Running tests with pytest", ["-m", "pytest"], build_dir, build_dir)]
    if django_installed(home):
        manage_py = find_manage_py(build_dir)
        if manage_py is not None:
            label = "Running tests with Django's test runner"
            if manage_py.parent != Path():
                label += f" in {manage_py.parent}/"
            return [_python_command(label, ["manage.py", "test"], build_dir / manage_py.parent, build_dir)]
    return [
        _python_command("Running tests with unittest", ["-m", "unittest", "discover"], build_dir, build_dir)
    ]


def _python_command(label: str, args: list[str], cwd: Path, build_dir: Path) -> TestCommand:
    # The runtime's own interpreter by path, whatever PATH says; shown as plain `python`.
    python = str(build_dir / ".heroku" / "python" / "bin" / "python")
    return TestCommand(label, (python, *args), cwd, shlex.join(["python", *args]))


def test_env(build_dir: Path, environ: Mapping[str, str], config: Mapping[str, str]) -> dict[str, str]:
    """What the tests see: the process env, the config vars, then the runtime env for BUILD_DIR."""
    base = {**environ, **config_vars.for_hooks(config)}
    return environment.apply(environment.runtime_env(), base, home=str(build_dir))


def _link_app_python(build_dir: Path) -> None:
    # Script shebangs name /app/.heroku/python; .profile.d does the same when HOME isn't /app.
    link = APP_DIR / ".heroku" / "python"
    if build_dir.resolve() == APP_DIR.resolve() or link.exists() or link.is_symlink():
        return
    try:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(build_dir / ".heroku" / "python")
    except OSError:
        pass


def _exit_status(returncode: int) -> int:
    # Killed by a signal: report it the way a shell would.
    return 128 - returncode if returncode < 0 else returncode


def run(command: TestCommand, env: Mapping[str, str]) -> int:
    output.step(f"{command.label}: {command.shown}")
    sys.stdout.flush()
    try:
        proc = subprocess.Popen(list(command.args), env=dict(env), cwd=command.cwd)
    except OSError as err:
        output.error(f"Could not start {command.args[0]}", str(err.strerror or err))
        return 127
    try:
        return _exit_status(proc.wait())
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        proc.wait()
        raise


def run_tests(build_dir: Path, env_dir: Path | None, environ: Mapping[str, str]) -> int:
    build_dir = build_dir.absolute()
    python = build_dir / ".heroku" / "python" / "bin" / "python"
    if not python.exists():
        raise TestPythonMissing(build_dir)
    commands = choose_commands(build_dir)
    env = test_env(build_dir, environ, read_env_dir(env_dir))
    _link_app_python(build_dir)
    for command in commands:
        status = run(command, env)
        if status != 0:
            what = "The test setup" if command.setup else "The tests"
            output.step(f"{what} failed (exit status {status})")
            return status
    output.step("Tests passed")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        sys.stderr.write("usage: bin/test BUILD_DIR [ENV_DIR]\n")
        return 2
    env_dir = Path(argv[1]) if len(argv) == 2 and argv[1] else None
    return run_tests(Path(argv[0]), env_dir, os.environ)
