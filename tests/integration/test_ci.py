"""Heroku CI and herokuish: bin/test-compile in /app with CI=true, then bin/test on the result.

bin/test runs as a "later" step of the harness, the way herokuish runs it: after the build, with
.profile.d sourced, as `bin/test BUILD_DIR ENV_DIR`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.app_runner import BUILDPACK_DIR, FIXTURES_DIR, BuildResult

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]

# The harness runs the later script as `bash $W/later.sh` in BUILD_DIR; the buildpack copy and
# ENV_DIR live in $W.
RUN_BIN_TEST = """
W=$(dirname "$0")
for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done
"$W/buildpack/bin/test" "$PWD" "$W/env"
"""


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURES_DIR / name, dest, symlinks=True)
    return dest


def ci_build(build_app: Build, fixture: str | Path, package_index: str, **kwargs: object) -> BuildResult:
    kwargs.setdefault("later_script", RUN_BIN_TEST)
    return build_app(
        fixture,
        script="test-compile",
        build_in_app=True,
        env={"CI": "true"},
        config={"PIP_INDEX_URL": package_index},
        **kwargs,
    )


def test_pytest_app_passes(build_app: Build, package_index: str) -> None:
    result = ci_build(build_app, "ci_pytest_pass", package_index)
    assert result.returncode == 0, result.output
    assert "pip install -r requirements.txt -r requirements-test.txt" in result.output
    assert result.later_returncode == 0, result.later_output
    out = result.later_output or ""
    assert "-----> Running tests with pytest: python -m pytest\n" in out
    assert "2 passed" in out
    assert "-----> Tests passed\n" in out
    facts = json.loads(result.report_json or "{}")
    assert facts["package_manager"] == "pip"


def test_warm_ci_build_in_app_reuses_the_cache(build_app: Build, package_index: str) -> None:
    cold = ci_build(build_app, "ci_pytest_pass", package_index, later_script=None)
    assert cold.returncode == 0, cold.output
    warm = ci_build(build_app, "ci_pytest_pass", package_index)
    assert warm.returncode == 0, warm.output
    assert "-----> Restoring cache" in warm.output
    assert "-----> Using cached install of Python 3.12.1" in warm.output
    assert warm.later_returncode == 0, warm.later_output
    assert "2 passed" in (warm.later_output or "")
    # Built in /app itself: the environment names /app, with no symlink in the way.
    profile = (warm.build_dir / ".profile.d" / "python.sh").read_text()
    assert 'PYTHONHOME="$HOME/.heroku/python"' in profile
    assert not (warm.build_dir / ".heroku" / "python").is_symlink()


def test_pytest_app_fails(build_app: Build, package_index: str) -> None:
    result = ci_build(build_app, "ci_pytest_fail", package_index)
    assert result.returncode == 0, result.output
    assert result.later_returncode == 1, result.later_output
    out = result.later_output or ""
    assert "1 failed, 1 passed" in out
    assert "-----> The tests failed (exit status 1)\n" in out


def test_django_test_runner_passes(build_app: Build, package_index: str) -> None:
    result = ci_build(build_app, "ci_django_tests", package_index)
    assert result.returncode == 0, result.output
    assert "collectstatic --noinput" not in result.output  # test-compile never collects
    assert result.later_returncode == 0, result.later_output
    out = result.later_output or ""
    assert "-----> Running tests with Django's test runner: python manage.py test\n" in out
    assert "Ran 2 tests" in out
    assert "\nOK\n" in out


def test_django_test_runner_fails(build_app: Build, package_index: str, tmp_path: Path) -> None:
    app = copy_fixture("ci_django_tests", tmp_path)
    tests = app / "polls" / "tests.py"
    tests.write_text(
        tests.read_text().replace("assertEqual(Question.objects.count(), 1)", "assertEqual(1, 2)")
    )
    result = ci_build(build_app, app, package_index)
    assert result.returncode == 0, result.output
    assert result.later_returncode == 1, result.later_output
    assert "FAILED (failures=1)" in (result.later_output or "")


def test_unittest_app_passes(build_app: Build, package_index: str) -> None:
    result = ci_build(build_app, "ci_unittest_pass", package_index)
    assert result.returncode == 0, result.output
    assert result.later_returncode == 0, result.later_output
    out = result.later_output or ""
    assert "-----> Running tests with unittest: python -m unittest discover\n" in out
    assert "Ran 2 tests" in out


def test_unittest_app_fails(build_app: Build, package_index: str) -> None:
    result = ci_build(build_app, "ci_unittest_fail", package_index)
    assert result.returncode == 0, result.output
    assert result.later_returncode == 1, result.later_output
    assert "FAILED (failures=1)" in (result.later_output or "")


def test_app_json_scripts_win(build_app: Build, package_index: str, tmp_path: Path) -> None:
    app = copy_fixture("ci_pytest_pass", tmp_path)
    scripts = {"test-setup": "echo set up > setup.txt", "test": "cat setup.txt && pytest -q check_calc.py"}
    (app / "app.json").write_text(json.dumps({"environments": {"test": {"scripts": scripts}}}))
    result = ci_build(build_app, app, package_index)
    assert result.returncode == 0, result.output
    assert result.later_returncode == 0, result.later_output
    out = result.later_output or ""
    assert "-----> Running the test-setup script from app.json: echo set up > setup.txt\n" in out
    assert "-----> Running the test script from app.json: cat setup.txt && pytest -q check_calc.py\n" in out
    assert "set up\n" in out
    assert "2 passed" in out


def test_build_dir_outside_app_and_a_bare_environment(build_app: Build, package_index: str) -> None:
    # BUILD_DIR is not /app and nothing from the build's environment is left: bin/test finds
    # the runtime in BUILD_DIR by itself, and points /app/.heroku/python at it again (as
    # .profile.d does) so the /app shebangs of the runtime's scripts work.
    script = """
    W=$(dirname "$0")
    rm -f /app/.heroku/python
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/app CI=true "$W/buildpack/bin/test" "$PWD"
    echo "---"
    readlink /app/.heroku/python
    """
    result = build_app(
        "ci_pytest_pass",
        script="test-compile",
        config={"PIP_INDEX_URL": package_index},
        later_script=script,
    )
    assert result.returncode == 0, result.output
    assert result.later_returncode == 0, result.later_output
    out = result.later_output or ""
    assert "2 passed" in out
    assert out.split("---\n", 1)[1] == f"{result.build_dir}/.heroku/python\n"


def test_no_runtime_is_a_clear_error(tmp_path: Path) -> None:
    app = copy_fixture("ci_unittest_pass", tmp_path)
    env = {"PATH": os.environ["PATH"], "NO_COLOR": "1"}
    proc = subprocess.run(
        [str(BUILDPACK_DIR / "bin" / "test"), str(app)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc
    assert "Error: No Python runtime to run the tests with" in proc.stderr
    assert "Traceback" not in proc.stderr
