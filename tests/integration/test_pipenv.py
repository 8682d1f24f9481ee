"""Pipenv apps end to end: the real bin/ scripts on fixture apps, then boot and an HTTP request.

Lockfiles must not name a registry host, so the fixtures' Pipfiles point their [[source]] at
@INDEX_URL@; each test copies the fixture, fills in the local package index and runs the real
`pipenv lock` (Pipenv from the wheelhouse, in a venv made once per session with the uv binary
from the wheelhouse). Locks are cached per session by Pipfile contents.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from python_buildpack import tool_pins
from tests.support.app_runner import FIXTURES_DIR, BuildResult, report
from tests.support.mirror import pyenv_python
from tests.support.snapshots import assert_snapshot
from tests.support.wheelhouse import ensure_wheelhouse

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]
REPO = Path(__file__).resolve().parents[2]
PIPENV_VERSION = tool_pins.version(REPO, "pipenv")
LOCK_PYTHON = "3.12.1"


class Locker:
    """Runs `pipenv lock` on app directories, with results cached by Pipfile contents."""

    def __init__(self, root: Path, index_url: str) -> None:
        self.root = root
        self.index_url = index_url
        self.venv = root / "pipenv-venv"
        self.locks: dict[str, str] = {}

    def setup(self) -> None:
        files = ensure_wheelhouse() / "files"
        wheel = next(files.glob("uv-*.whl"))
        uv = self.root / "uv"
        with zipfile.ZipFile(wheel) as archive:
            member = next(m for m in archive.namelist() if m.endswith(".data/scripts/uv"))
            uv.write_bytes(archive.read(member))
        uv.chmod(0o755)
        env = self._env(UV_CACHE_DIR=str(self.root / "uv-cache"))
        python = str(pyenv_python(LOCK_PYTHON))
        subprocess.run([uv, "venv", "-q", "--python", python, self.venv], env=env, check=True)
        install = [
            "install",
            "-q",
            "--python",
            str(self.venv / "bin" / "python"),
            "--index-url",
            self.index_url,
        ]
        subprocess.run([uv, "pip", *install, f"pipenv=={PIPENV_VERSION}"], env=env, check=True)

    def _env(self, **extra: str) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin", "HOME": str(self.root / "home"), "NO_COLOR": "1", **extra}

    def lock(self, app: Path) -> None:
        pipfile = (app / "Pipfile").read_text()
        if pipfile not in self.locks:
            env = self._env(
                PATH=f"{self.venv}/bin:/usr/bin:/bin",
                VIRTUAL_ENV=str(self.venv),  # lock with this venv's Python, don't create one
                PIPENV_YES="1",
                PIPENV_NOSPIN="1",
                PIPENV_VERBOSITY="-1",
            )
            proc = subprocess.run(
                [self.venv / "bin" / "pipenv", "lock"],
                check=False,
                cwd=app,
                env=env,
                capture_output=True,
                text=True,
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr
            self.locks[pipfile] = (app / "Pipfile.lock").read_text()
        (app / "Pipfile.lock").write_text(self.locks[pipfile])

    def app(self, fixture: str, dest: Path, *, lock: bool = True) -> Path:
        """A copy of the fixture with the index filled in and (by default) locked."""
        shutil.copytree(FIXTURES_DIR / fixture, dest, symlinks=True)
        pipfile = dest / "Pipfile"
        pipfile.write_text(pipfile.read_text().replace("@INDEX_URL@", self.index_url))
        if lock:
            self.lock(dest)
        return dest


@pytest.fixture(scope="session")
def locker(package_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Locker]:
    root = tmp_path_factory.mktemp("pipenv-locker")
    result = Locker(root, package_index)
    result.setup()
    yield result
    shutil.rmtree(root, ignore_errors=True)


def tool_config(package_index: str) -> dict[str, str]:
    # Where uv (itself installed with pip) installs Pipenv from.
    return {"PIP_INDEX_URL": package_index, "UV_DEFAULT_INDEX": package_index}


def test_flask_app_cold_then_warm_build_and_boot(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    app = locker.app("pipenv_flask_gunicorn", tmp_path / "app")
    config = tool_config(package_index)
    check = "command -v pipenv; pipenv --version; python -c 'import flask'"
    web = "pipenv --version && exec gunicorn app:app"
    cold = build_app(app, config=config, boot=True, web=web, later_script=check)
    assert cold.returncode == 0, cold.output
    assert "-----> Using Python 3.12 specified in Pipfile.lock" in cold.output
    assert "-----> Installing Python 3.12.1" in cold.output
    assert f"-----> Installing Pipenv {PIPENV_VERSION}" in cold.output
    assert "-----> Installing dependencies using 'pipenv install --deploy'" in cold.output
    assert "Traceback" not in cold.output
    assert cold.http_status == 200, (cold.http_error, cold.server_output)
    assert cold.http_body == "Hello from Flask on Python 3.12.1\n"
    assert f"pipenv, version {PIPENV_VERSION}" in (cold.server_output or "")
    assert cold.later_returncode == 0, cold.later_output
    assert "/app/.heroku/python/pipenv/bin/pipenv" in (cold.later_output or "")
    facts = report(cold)
    assert facts["cache_status"] == "empty"
    assert facts["package_manager"] == "pipenv"
    assert facts["pipenv_version"] == PIPENV_VERSION
    assert facts["python_version_origin"] == "Pipfile.lock"
    print(f"cold: package_manager_install_duration={facts['package_manager_install_duration']}")
    print(f"cold: compile {cold.compile_seconds:.1f}s")

    home = cold.build_dir / ".heroku" / "python"
    # The venv records /app paths only, so it works at runtime; pip is not in the runtime.
    shebang = (home / "pipenv" / "venv" / "bin" / "pipenv").read_text().splitlines()[0]
    assert shebang == "#!/app/.heroku/python/pipenv/venv/bin/python", shebang
    assert os.readlink(home / "pipenv" / "bin" / "pipenv") == "../venv/bin/pipenv"
    assert sorted(p.name for p in (home / "pipenv" / "bin").iterdir()) == ["pipenv"]
    assert not (home / "bin" / "pip").exists()
    assert list(home.glob("lib/python3.12/site-packages/flask-*.dist-info"))

    warm = build_app(app, config=config, boot=True, web=web)
    assert warm.returncode == 0, warm.output
    assert "-----> Restoring cache" in warm.output
    assert "-----> Using cached install of Python 3.12.1" in warm.output
    assert f"-----> Using cached Pipenv {PIPENV_VERSION}" in warm.output
    assert "Pipfile.lock unchanged since the last build, nothing to install" in warm.output
    assert warm.http_status == 200, (warm.http_error, warm.server_output)
    assert report(warm)["cache_status"] == "reused"
    print(f"warm: compile {warm.compile_seconds:.1f}s")
    # The target is 3 s on an idle machine (most of it fetching uv); parallel tests slow it down.
    assert float(str(facts["package_manager_install_duration"])) < 20


def test_lock_change_discards_cache_with_reason(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    app = locker.app("pipenv_flask_gunicorn", tmp_path / "app")
    config = tool_config(package_index)
    assert build_app(app, config=config).returncode == 0

    pipfile = app / "Pipfile"
    pipfile.write_text(pipfile.read_text().replace('gunicorn = "*"\n', 'gunicorn = "*"\npackaging = "*"\n'))
    locker.lock(app)
    changed = build_app(app, config=config, later_script="python -c 'import packaging'")
    assert changed.returncode == 0, changed.output
    assert "-----> Discarding cache since:\n       - The contents of Pipfile.lock changed" in changed.output
    # The runtime with Pipenv (and no dependencies) is kept apart from the discarded cache.
    assert "-----> Restoring the cached Python 3.12.1 and Pipenv, without dependencies" in changed.output
    assert f"-----> Using cached Pipenv {PIPENV_VERSION}" in changed.output
    assert "-----> Installing dependencies using 'pipenv install --deploy'" in changed.output
    assert changed.later_returncode == 0, changed.later_output


def test_lock_out_of_sync_is_a_clear_error(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    app = locker.app("pipenv_flask_gunicorn", tmp_path / "app")
    pipfile = app / "Pipfile"
    pipfile.write_text(pipfile.read_text().replace('gunicorn = "*"\n', 'gunicorn = "*"\npackaging = "*"\n'))
    result = build_app(app, config=tool_config(package_index))
    assert result.returncode == 1
    assert "Traceback" not in result.output
    error = result.output[result.output.index("Error: ") :]
    assert_snapshot("pipenv_lockfile_out_of_sync", error)
    facts = report(result)
    assert facts["failure_reason"] == "install-dependencies::pipenv"
    assert facts["failure_detail"] == "lockfile-out-of-date"


def test_test_compile_installs_dev_packages(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    app = locker.app("pipenv_flask_gunicorn", tmp_path / "app")
    config = tool_config(package_index)
    check = "python -c 'import six'"
    normal = build_app(app, config=config, later_script=check)
    assert normal.returncode == 0, normal.output
    assert normal.later_returncode != 0  # dev packages only on Heroku CI

    ci = build_app(app, config=config, script="test-compile", later_script=check, build_in_app=True)
    assert ci.returncode == 0, ci.output
    assert "-----> Installing dependencies using 'pipenv install --deploy --dev'" in ci.output
    assert ci.later_returncode == 0, ci.later_output


def test_editable_path_dependency(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    app = locker.app("pipenv_editable", tmp_path / "app")
    config = tool_config(package_index)
    check = "python -c 'import localpkg; print(localpkg.__file__)'"
    for attempt in ("cold", "warm"):
        result = build_app(app, config=config, boot=True, later_script=check)
        assert result.returncode == 0, (attempt, result.output)
        # A path dependency may have changed: Pipenv runs on every build.
        assert "-----> Installing dependencies using 'pipenv install --deploy'" in result.output
        assert result.later_returncode == 0, (attempt, result.later_output)
        assert f"{result.build_dir}/packages/localpkg" in (result.later_output or "")
        assert result.http_status == 200, (attempt, result.http_error, result.server_output)
        assert result.http_body == "local /app/packages/localpkg\n"


def test_switching_between_pip_and_pipenv(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    config = tool_config(package_index)
    pip_app = build_app("pip_flask_gunicorn", config=config)
    assert pip_app.returncode == 0, pip_app.output

    app = locker.app("pipenv_flask_gunicorn", tmp_path / "app")
    pipenv_app = build_app(app, config=config, boot=True)
    assert pipenv_app.returncode == 0, pipenv_app.output
    assert "- The package manager has changed from pip to pipenv" in pipenv_app.output
    assert not list((pipenv_app.build_dir / ".heroku" / "python").glob("bin/pip*"))
    assert pipenv_app.http_status == 200

    back = build_app("pip_flask_gunicorn", config=config, later_script="command -v pipenv || echo no-pipenv")
    assert back.returncode == 0, back.output
    assert "- The package manager has changed from pipenv to pip" in back.output
    assert not (back.build_dir / ".heroku" / "python" / "pipenv").exists()
    assert "no-pipenv" in (back.later_output or "")
    assert "PIPENV" not in (back.build_dir / ".profile.d" / "python.sh").read_text()


def test_failed_install_reports_and_next_build_succeeds(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    app = locker.app("pipenv_flask_gunicorn", tmp_path / "app")
    config = tool_config(package_index)
    good = (app / "Pipfile.lock").read_text()
    lock = json.loads(good)
    lock["default"]["flask"]["version"] = "==0.0.1"  # not on the index
    (app / "Pipfile.lock").write_text(json.dumps(lock, indent=4))
    failed = build_app(app, config=config)
    assert failed.returncode == 1
    assert "Error: Could not install the app's dependencies with Pipenv" in failed.output
    assert "Traceback" not in failed.output
    assert report(failed)["failure_reason"] == "install-dependencies::pipenv"

    (app / "Pipfile.lock").write_text(good)
    again = build_app(app, config=config, boot=True)
    assert again.returncode == 0, again.output
    assert again.http_status == 200


def _git_repo(path: Path) -> Path:
    (path / "vcspkg").mkdir(parents=True)
    (path / "vcspkg" / "__init__.py").write_text("NAME = 'vcs'\n")
    (path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "vcspkg"\nversion = "1.0"\n'
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(path)], check=True)
    subprocess.run([*git, "-C", str(path), "add", "."], check=True)
    subprocess.run([*git, "-C", str(path), "commit", "-qm", "init"], check=True)
    return path


def test_editable_vcs_dependency(
    build_app: Build, package_index: str, locker: Locker, tmp_path: Path
) -> None:
    repo = _git_repo(tmp_path / "repo")
    app = locker.app("pipenv_editable", tmp_path / "app", lock=False)
    pipfile = app / "Pipfile"
    line = f'vcspkg = {{git = "file://{repo}", editable = true}}\n'
    pipfile.write_text(pipfile.read_text().replace("\n[requires]\n", f"{line}\n[requires]\n"))
    locker.lock(app)
    config = tool_config(package_index)
    check = "python -c 'import vcspkg; print(vcspkg.__file__)'"
    web = f"{check} && exec gunicorn app:app"
    for attempt in ("cold", "warm"):
        result = build_app(app, config=config, boot=True, web=web, later_script=check)
        assert result.returncode == 0, (attempt, result.output)
        # The checkout lives in the runtime, so it travels with the cache and the slug.
        assert "/app/.heroku/python/src/vcspkg/vcspkg/__init__.py" in (result.later_output or ""), attempt
        assert "/app/.heroku/python/src/vcspkg/vcspkg/__init__.py" in (result.server_output or ""), attempt
        assert result.http_status == 200, (attempt, result.http_error, result.server_output)
