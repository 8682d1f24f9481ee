"""Tests for lib/python_buildpack/django.py and errors/django.py: Django detection helpers and
collectstatic (with a stand-in `python` that plays manage.py's part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from python_buildpack import django
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.django import (
    CollectstaticFailed,
    CollectstaticImproperlyConfigured,
    CollectstaticMissingFile,
    CollectstaticSyntaxError,
)
from python_buildpack.report import BuildReport
from tests.support.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SECRET = "hunter2-secret-value"


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def site_packages(home: Path) -> Path:
    path = home / "lib" / "python3.12" / "site-packages"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- detection ---------------------------------------------------------------------------------


def test_distribution_installed(tmp_path: Path) -> None:
    site = site_packages(tmp_path)
    (site / "Django-6.1.3.dist-info").mkdir()
    (site / "psycopg2_binary-2.9.10.dist-info").mkdir()
    (site / "six-1.17.0-py3.12.egg-info").mkdir()
    assert django.django_installed(tmp_path)
    assert django.distribution_installed(tmp_path, "psycopg2-binary")
    assert django.distribution_installed(tmp_path, "PSYCOPG2_BINARY")
    assert django.distribution_installed(tmp_path, "six")
    assert not django.distribution_installed(tmp_path, "psycopg2")
    assert not django.distribution_installed(tmp_path, "nltk")


def test_distribution_installed_without_runtime(tmp_path: Path) -> None:
    assert not django.django_installed(tmp_path / "missing")


def test_package_dir_alone_is_not_an_installed_distribution(tmp_path: Path) -> None:
    (site_packages(tmp_path) / "django").mkdir()
    assert not django.django_installed(tmp_path)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("django_staticfiles_app", "manage.py"),
        ("django_manage_py_in_subdir", "backend/manage.py"),
        ("django_no_manage_py", None),
    ],
)
def test_find_manage_py_in_fixtures(fixture: str, expected: str | None) -> None:
    found = django.find_manage_py(FIXTURES / fixture)
    assert (str(found) if found else None) == expected


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")


def test_find_manage_py_prefers_root_then_shallowest_then_alphabetical(tmp_path: Path) -> None:
    touch(tmp_path / "b" / "manage.py")
    touch(tmp_path / "a" / "x" / "manage.py")
    assert django.find_manage_py(tmp_path) == Path("b/manage.py")
    touch(tmp_path / "a" / "manage.py")
    assert django.find_manage_py(tmp_path) == Path("a/manage.py")
    touch(tmp_path / "manage.py")
    assert django.find_manage_py(tmp_path) == Path("manage.py")


def test_find_manage_py_depth_limit(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "b" / "c" / "d" / "manage.py")
    assert django.find_manage_py(tmp_path) is None
    touch(tmp_path / "a" / "b" / "c" / "manage.py")
    assert django.find_manage_py(tmp_path) == Path("a/b/c/manage.py")


def test_find_manage_py_skips_hidden_and_dependency_dirs(tmp_path: Path) -> None:
    touch(tmp_path / ".heroku" / "manage.py")
    touch(tmp_path / "node_modules" / "manage.py")
    (tmp_path / "manage.py").mkdir()  # a directory is not the script
    assert django.find_manage_py(tmp_path) is None


# --- collectstatic -------------------------------------------------------------------------------


def make_ctx(
    tmp_path: Path,
    *,
    environ: dict[str, str] | None = None,
    config: dict[str, str] | None = None,
    django_installed: bool = True,
    manage_py: bool = True,
) -> BuildContext:
    build = tmp_path / "build"
    build.mkdir()
    home = build / ".heroku" / "python"
    if django_installed:
        (site_packages(home) / "Django-6.1.3.dist-info").mkdir()
    if manage_py:
        (build / "manage.py").write_text("")
    # app_dir = build dir: python_home and build_python_home coincide, as on Heroku CI.
    return BuildContext(
        build_dir=build,
        cache_dir=tmp_path / "cache",
        env_dir=None,
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars=config or {},
        environ=environ or {},
        app_dir=build,
    )


def fake_python(ctx: BuildContext, script: str) -> None:
    """bin/python that runs `script` (sh) instead of Django."""
    path = ctx.python_home / "bin" / "python"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


ENV = {"PATH": "/usr/bin:/bin", "HOME": "/app"}


def run(ctx: BuildContext, tmp_path: Path, env: dict[str, str] | None = None) -> tuple[str, BuildReport]:
    report = BuildReport(tmp_path / "r.json")
    status = django.collectstatic(ctx, report, env or ENV)
    return status, report


def test_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path)
    fake_python(ctx, 'echo "args=$* pythonpath=$PYTHONPATH cwd=$(pwd)"')
    status, report = run(ctx, tmp_path)
    assert status == "enabled"
    assert report.data["django_collectstatic"] == "enabled"
    assert capsys.readouterr().out.splitlines() == [
        "-----> Running 'python manage.py collectstatic --noinput'",
        f"       args=manage.py collectstatic --noinput pythonpath=. cwd={ctx.build_dir}",
    ]


def test_pythonpath_from_config_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path)
    fake_python(ctx, 'echo "pythonpath=$PYTHONPATH"')
    run(ctx, tmp_path, {**ENV, "PYTHONPATH": "src"})
    assert "pythonpath=src" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["1", "true", "yes", " 1"])
def test_disabled(tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path, config={"DISABLE_COLLECTSTATIC": value})
    status, report = run(ctx, tmp_path)
    assert report.data["django_collectstatic"] == "disabled-env-var"
    assert status == "disabled-env-var"
    assert "Skipping Django collectstatic: DISABLE_COLLECTSTATIC is set" in capsys.readouterr().out


def test_disabled_by_process_env(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, environ={"DISABLE_COLLECTSTATIC": "1"}, django_installed=False)
    assert django.collectstatic_disabled(ctx)


@pytest.mark.parametrize("value", ["0", ""])
def test_not_disabled(tmp_path: Path, value: str) -> None:
    ctx = make_ctx(tmp_path, config={"DISABLE_COLLECTSTATIC": value})
    assert not django.collectstatic_disabled(ctx)


def test_django_not_installed_is_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path, django_installed=False)
    status, report = run(ctx, tmp_path)
    assert status == ""
    assert report.data == {}
    assert capsys.readouterr().out == ""


def test_no_manage_py(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path, manage_py=False)
    status, _ = run(ctx, tmp_path)
    assert status == "skipped-no-manage-py"
    assert "no manage.py was found" in capsys.readouterr().out


def test_staticfiles_not_installed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path)
    fake_python(ctx, "echo \"Unknown command: 'collectstatic'\" >&2; exit 1")
    status, report = run(ctx, tmp_path)
    assert status == "skipped-no-staticfiles"
    assert report.data["django_collectstatic"] == "skipped-no-staticfiles"
    assert "Note: Django collectstatic was skipped" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("log", "cls", "reason"),
    [
        (
            '  File "mysite/settings.py", line 3\nSyntaxError: unterminated string',
            CollectstaticSyntaxError,
            "collectstatic::syntax-error",
        ),
        (
            "django.core.exceptions.ImproperlyConfigured: STATIC_ROOT",
            CollectstaticImproperlyConfigured,
            "collectstatic::improper-configuration",
        ),
        (
            "FileNotFoundError: [Errno 2] No such file or directory: 'x'",
            CollectstaticMissingFile,
            "collectstatic::missing-file",
        ),
        (
            "ValueError: The file 'img/a.png' could not be found with <storage>.",
            CollectstaticMissingFile,
            "collectstatic::missing-file",
        ),
        ("ModuleNotFoundError: No module named 'whitenoise'", CollectstaticFailed, "collectstatic::other"),
    ],
)
def test_failures_are_classified(
    tmp_path: Path, log: str, cls: type[BuildError], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = make_ctx(tmp_path, config={"SECRET_KEY": SECRET})
    (tmp_path / "log.txt").write_text(log + "\n")
    fake_python(ctx, f"cat {tmp_path / 'log.txt'}; exit 1")
    report = BuildReport(tmp_path / "r.json")
    with pytest.raises(cls) as info:
        django.collectstatic(ctx, report, {**ENV, "SECRET_KEY": SECRET})
    assert info.value.reason == reason
    assert report.data["django_collectstatic"] == "failed"
    captured = capsys.readouterr()
    assert "Environment collectstatic" not in captured.out
    assert SECRET not in captured.out + captured.err + render(info.value)


def test_debug_collectstatic_lists_names_but_hides_config_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {"DEBUG_COLLECTSTATIC": "1", "SECRET_KEY": SECRET, "PATH": "/config/path"}
    ctx = make_ctx(tmp_path, config=config)
    fake_python(ctx, "echo boom; exit 2")
    env = {**ENV, "SECRET_KEY": SECRET, "DEBUG_COLLECTSTATIC": "1", "DATABASE_URL": "postgres://u:p@h/d"}
    with pytest.raises(CollectstaticFailed) as info:
        django.collectstatic(ctx, BuildReport(tmp_path / "r.json"), env)
    out = capsys.readouterr().out
    assert "-----> Environment collectstatic ran with (DEBUG_COLLECTSTATIC=1):" in out
    assert "       SECRET_KEY=<config var, value hidden>" in out
    assert "       DATABASE_URL=<value hidden>" in out
    assert "       HOME=/app" in out
    assert "       PYTHONPATH=." in out
    # A denied config var did not reach collectstatic: the build's own value is shown.
    assert "       PATH=/usr/bin:/bin" in out
    assert "/config/path" not in out
    assert SECRET not in out
    assert "postgres://" not in out
    assert "DEBUG_COLLECTSTATIC=1 and" not in info.value.body  # no advice to set what is set


COMMAND = "python manage.py collectstatic --noinput"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("collectstatic_syntax_error_unit", CollectstaticSyntaxError(COMMAND)),
        ("collectstatic_improper_configuration_unit", CollectstaticImproperlyConfigured(COMMAND)),
        ("collectstatic_missing_file_unit", CollectstaticMissingFile(COMMAND)),
        ("collectstatic_other", CollectstaticFailed(COMMAND, 1)),
        (
            "collectstatic_other_debug",
            CollectstaticFailed("python backend/manage.py collectstatic --noinput", 1, debug=True),
        ),
    ],
)
def test_error_snapshots(name: str, error: BuildError) -> None:
    assert_snapshot(name, render(error))


def test_environment_listing_is_sorted() -> None:
    text = django.environment_listing({"B": "1", "A": "2", "PATH": "/bin"}, {"B": "1"})
    assert text.splitlines() == ["A=<value hidden>", "B=<config var, value hidden>", "PATH=/bin"]
