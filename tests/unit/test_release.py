"""Tests for lib/python_buildpack/release.py: the add-on and default web process, and valid YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from python_buildpack import release

MANAGE_PY = """#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{settings}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""
WSGI_PY = "from django.core.wsgi import get_wsgi_application\n\napplication = get_wsgi_application()\n"


def install(build_dir: Path, *names: str, suffix: str = ".dist-info") -> None:
    """Fake installed distributions: only their metadata directories."""
    site = build_dir / ".heroku" / "python" / "lib" / "python3.12" / "site-packages"
    for name in names:
        (site / f"{name}-1.0{suffix}").mkdir(parents=True)


def django_project(build_dir: Path, settings: str = "mysite.settings", package: str = "mysite") -> None:
    (build_dir / "manage.py").write_text(MANAGE_PY.format(settings=settings))
    pkg = build_dir.joinpath(*package.split("."))
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "wsgi.py").write_text(WSGI_PY)


def yaml_of(build_dir: Path) -> str:
    return release.render(release.release_for(build_dir))


def test_nothing_to_declare(tmp_path: Path) -> None:
    assert yaml_of(tmp_path) == "--- {}\n"


@pytest.mark.parametrize("driver", ["psycopg2", "psycopg2_binary", "psycopg", "psycopg_binary", "psycopg_c"])
def test_postgres_addon_for_django_with_a_driver(tmp_path: Path, driver: str) -> None:
    install(tmp_path, "Django", driver)
    (tmp_path / "manage.py").write_text("print('no settings default here')\n")
    assert yaml_of(tmp_path) == '---\naddons:\n  - "heroku-postgresql"\n'


def test_postgres_addon_from_egg_info(tmp_path: Path) -> None:
    install(tmp_path, "django", "psycopg2", suffix="-py3.12.egg-info")
    (tmp_path / "manage.py").write_text("")
    assert release.release_for(tmp_path).addons == ("heroku-postgresql",)


@pytest.mark.parametrize(
    ("installed", "manage_py"),
    [
        (("psycopg2",), True),  # not a Django app
        (("django",), True),  # no driver
        (("django", "psycopg2"), False),  # no manage.py in the root
        (("django", "psycopg_pool"), True),  # not a driver
    ],
)
def test_no_postgres_addon(tmp_path: Path, installed: tuple[str, ...], manage_py: bool) -> None:
    install(tmp_path, *installed)
    if manage_py:
        (tmp_path / "manage.py").write_text("")
    assert release.release_for(tmp_path).addons == ()


def test_default_web_process_for_a_django_project_with_gunicorn(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    assert yaml_of(tmp_path) == '---\ndefault_process_types:\n  "web": "gunicorn mysite.wsgi"\n'


def test_addon_and_web_process_together_are_valid_yaml(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    install(tmp_path, "django", "gunicorn", "psycopg")
    django_project(tmp_path)
    text = yaml_of(tmp_path)
    assert text == (
        '---\naddons:\n  - "heroku-postgresql"\ndefault_process_types:\n  "web": "gunicorn mysite.wsgi"\n'
    )
    assert yaml.safe_load(text) == {
        "addons": ["heroku-postgresql"],
        "default_process_types": {"web": "gunicorn mysite.wsgi"},
    }
    assert yaml.safe_load(release.render(release.Release())) == {}


def test_settings_package_finds_the_wsgi_module_of_its_project(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path, settings="config.settings.production", package="config")
    (tmp_path / "config" / "settings").mkdir()
    assert release.release_for(tmp_path).default_process_types == {"web": "gunicorn config.wsgi"}


def test_single_quotes_in_manage_py(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    manage = tmp_path / "manage.py"
    manage.write_text(manage.read_text().replace('"', "'"))
    assert release.release_for(tmp_path).default_process_types == {"web": "gunicorn mysite.wsgi"}


@pytest.mark.parametrize(
    "procfile",
    ["web: gunicorn mysite.wsgi --workers 3\n", "worker: celery -A mysite worker\nweb:python server.py\n"],
)
def test_no_default_web_process_when_the_procfile_has_one(tmp_path: Path, procfile: str) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    (tmp_path / "Procfile").write_text(procfile)
    assert release.release_for(tmp_path).default_process_types is None


def test_default_web_process_when_the_procfile_has_only_other_processes(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    (tmp_path / "Procfile").write_text("worker: python worker.py\n# web: commented out\n")
    assert release.release_for(tmp_path).default_process_types == {"web": "gunicorn mysite.wsgi"}


def test_no_default_web_process_without_gunicorn(tmp_path: Path) -> None:
    install(tmp_path, "django")
    django_project(tmp_path)
    assert release.release_for(tmp_path).default_process_types is None


def test_no_default_web_process_without_django(tmp_path: Path) -> None:
    install(tmp_path, "gunicorn")
    django_project(tmp_path)
    assert release.release_for(tmp_path).default_process_types is None


def test_no_default_web_process_without_a_wsgi_module(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    (tmp_path / "mysite" / "wsgi.py").unlink()
    assert release.release_for(tmp_path).default_process_types is None


def test_no_default_web_process_when_wsgi_defines_no_application(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    (tmp_path / "mysite" / "wsgi.py").write_text("app = None\n")
    assert release.release_for(tmp_path).default_process_types is None


@pytest.mark.parametrize("settings", ["", "settings", "my-site.settings", "x; rm -rf /.settings", "a..b"])
def test_no_default_web_process_for_unusable_settings_modules(tmp_path: Path, settings: str) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    (tmp_path / "manage.py").write_text(MANAGE_PY.format(settings=settings))
    assert release.release_for(tmp_path).default_process_types is None


def test_no_default_web_process_when_manage_py_sets_no_default(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    (tmp_path / "manage.py").write_text(
        "import os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'mysite.settings'\n"
    )
    assert release.release_for(tmp_path).default_process_types is None


def test_manage_py_in_a_subdirectory_is_not_used(tmp_path: Path) -> None:
    install(tmp_path, "django", "gunicorn", "psycopg2")
    (tmp_path / "backend").mkdir()
    django_project(tmp_path / "backend")
    assert yaml_of(tmp_path) == "--- {}\n"


def test_values_are_quoted_safely() -> None:
    yaml = pytest.importorskip("yaml")
    tricky = "gunicorn \"a\": b # c\n'd' \\ é {x} [y] &z *w !v"
    text = release.render(release.Release(addons=("a: b",), default_process_types={"web": tricky}))
    assert yaml.safe_load(text) == {"addons": ["a: b"], "default_process_types": {"web": tricky}}


def test_main_prints_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install(tmp_path, "django", "gunicorn")
    django_project(tmp_path)
    assert release.main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == '---\ndefault_process_types:\n  "web": "gunicorn mysite.wsgi"\n'


def test_main_without_build_dir(capsys: pytest.CaptureFixture[str]) -> None:
    assert release.main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_main_on_a_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert release.main([str(tmp_path / "missing")]) == 0
    assert capsys.readouterr().out == "--- {}\n"
