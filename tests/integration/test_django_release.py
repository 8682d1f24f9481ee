"""bin/release and Django end to end: a whitenoise project that collects and serves its static
files, the default web process for a Django app without a Procfile, the Postgres add-on."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.app_runner import FIXTURES_DIR, BuildResult

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURES_DIR / name, dest, symlinks=True)
    return dest


def release_web(release_yaml: str | None) -> str | None:
    """The default web command from bin/release's YAML (values are JSON-style quoted)."""
    match = re.search(r'^default_process_types:\n  "web": (".*")$', release_yaml or "", re.MULTILINE)
    return str(json.loads(match.group(1))) if match else None


def check_yaml(text: str | None) -> object:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(text or "")


def test_whitenoise_project_collects_and_serves_static_files(build_app: Build, package_index: str) -> None:
    result = build_app(
        "django_whitenoise_app",
        config={"PIP_INDEX_URL": package_index},
        boot=True,
        http_path="/static/hello.txt",
    )
    assert result.returncode == 0, result.output
    assert "-----> Running 'python manage.py collectstatic --noinput'" in result.output
    assert "1 static file copied" in result.output
    assert (result.build_dir / "staticfiles" / "hello.txt").is_file()
    assert result.http_status == 200, (result.http_error, result.server_output)
    assert result.http_body == "Hello from a static file\n"
    # The Procfile has a web process and the app uses no Postgres driver: nothing to declare.
    assert result.release_yaml == "--- {}\n"


def test_disable_collectstatic_skips_the_step(build_app: Build, package_index: str) -> None:
    result = build_app(
        "django_whitenoise_app",
        config={"PIP_INDEX_URL": package_index, "DISABLE_COLLECTSTATIC": "1"},
        boot=True,
        http_path="/static/hello.txt",
    )
    assert result.returncode == 0, result.output
    assert "collectstatic --noinput" not in result.output
    assert "DISABLE_COLLECTSTATIC" in result.output
    assert not (result.build_dir / "staticfiles").exists()
    # Nothing was collected, so whitenoise has nothing to serve; the app itself still runs.
    assert result.http_status == 404, (result.http_error, result.server_output)


def test_django_app_without_procfile_gets_a_working_default_web_process(
    build_app: Build, package_index: str
) -> None:
    config = {"PIP_INDEX_URL": package_index}
    built = build_app("django_no_procfile", config=config)
    assert built.returncode == 0, built.output
    assert built.release_yaml == '---\ndefault_process_types:\n  "web": "gunicorn mysite.wsgi"\n'
    web = release_web(built.release_yaml)
    assert web == "gunicorn mysite.wsgi"
    assert check_yaml(built.release_yaml) == {"default_process_types": {"web": "gunicorn mysite.wsgi"}}

    booted = build_app("django_no_procfile", config=config, boot=True, web=web)
    assert booted.returncode == 0, booted.output
    assert booted.http_status == 200, (booted.http_error, booted.server_output)
    assert booted.http_body == "Hello from Django without a Procfile\n"


def test_django_app_with_a_postgres_driver_gets_the_addon(
    build_app: Build, package_index: str, tmp_path: Path
) -> None:
    app = copy_fixture("django_no_procfile", tmp_path)
    # A stand-in for psycopg2-binary (the test index has no Postgres driver): only its
    # installed metadata matters to bin/release.
    driver = app / "packages" / "fake-psycopg2"
    driver.mkdir(parents=True)
    (driver / "psycopg2.py").write_text("")
    (driver / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "psycopg2-binary"\nversion = "2.9.0"\n\n'
        '[tool.setuptools]\npy-modules = ["psycopg2"]\n'
    )
    (app / "requirements.txt").write_text("django\ngunicorn\n./packages/fake-psycopg2\n")
    (app / "Procfile").write_text("web: gunicorn mysite.wsgi --workers 1\n")
    result = build_app(app, config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 0, result.output
    assert result.release_yaml == '---\naddons:\n  - "heroku-postgresql"\n'
    assert check_yaml(result.release_yaml) == {"addons": ["heroku-postgresql"]}
