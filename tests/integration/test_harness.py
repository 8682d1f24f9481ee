"""Tests of the integration harness itself (runtime mirror, package index, namespaced runner);
none of them needs the buildpack to work."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support import app_runner, mirror, wheelhouse

pytestmark = pytest.mark.integration


def _extract(archive: Path, dest: Path) -> Path:
    dest.mkdir()
    subprocess.run(["tar", "--zstd", "-xf", str(archive), "-C", str(dest)], check=True)
    return dest


def _version_of(python: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), "-V"], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("version", mirror.mirrored_versions())
def test_mirror_archive_runs_only_with_library_path(runtime_mirror, tmp_path, version):
    archive = runtime_mirror.path / mirror.archive_name(version)
    root = _extract(archive, tmp_path / "python")
    assert sorted(p.name for p in root.iterdir()) == ["bin", "include", "lib", "share"]
    python = root / "bin" / "python"
    assert os.readlink(python) == "python3"

    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(root / "lib")}
    ok = _version_of(python, env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"Python {version}"

    # Without LD_LIBRARY_PATH it must not silently work: either libpython is missing, or (3.11
    # on Debian 12) the system's libpython of another patch release is picked up.
    bare = _version_of(python, {"PATH": "/usr/bin:/bin"})
    assert bare.returncode != 0 or bare.stdout.strip() != f"Python {version}"


def test_mirror_archive_contents(runtime_mirror, tmp_path):
    version = next(v for v in mirror.mirrored_versions() if v.startswith("3.11."))
    root = _extract(runtime_mirror.path / mirror.archive_name(version), tmp_path / "python")
    stdlib = root / "lib" / "python3.11"
    assert sorted(p.name for p in (stdlib / "site-packages").iterdir()) == ["README.txt"]
    assert not (stdlib / "test").exists()
    assert not (stdlib / "idlelib" / "idle_test").exists()
    assert list((stdlib / "ensurepip" / "_bundled").glob("pip-*.whl"))
    bins = {p.name for p in (root / "bin").iterdir()}
    assert {"python", "python3", "python3.11"} <= bins
    assert not {b for b in bins if b.startswith(("pip", "idle", "pydoc", "2to3", "easy_install"))}
    assert all(mirror.KEPT_BIN_RE.match(b) for b in bins)
    for elf in [root / "bin" / "python3.11", root / "lib" / "libpython3.11.so.1.0"]:
        assert (
            subprocess.run(
                ["patchelf", "--print-rpath", str(elf)], capture_output=True, text=True, check=True
            ).stdout.strip()
            == ""
        )
    dynamic = subprocess.run(
        ["readelf", "-d", str(root / "bin" / "python3.11")], capture_output=True, text=True, check=True
    ).stdout
    assert "RUNPATH" not in dynamic
    assert "RPATH" not in dynamic


def test_mirror_index_and_checksums(runtime_mirror):
    names = (runtime_mirror.path / "index.txt").read_text().split()
    arch = mirror.machine_arch()
    for version in mirror.mirrored_versions():
        for ubuntu in ("22.04", "24.04", "26.04"):
            assert f"python-{version}-ubuntu-{ubuntu}-{arch}.tar.zst" in names
    for name in names:
        archive = runtime_mirror.path / name
        digest, listed = (runtime_mirror.path / f"{name}.sha256").read_text().split()
        assert listed == name
        if "ubuntu-24.04" in name:
            assert digest == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert not any(n.startswith(("python-2.", "python-3.6.", "python-3.7.", "python-3.8.")) for n in names)


def test_mirror_serves_over_http(runtime_mirror):
    with urllib.request.urlopen(f"{runtime_mirror.http_url}/index.txt", timeout=10) as resp:
        assert resp.read().decode() == (runtime_mirror.path / "index.txt").read_text()
    name = mirror.archive_name(mirror.mirrored_versions()[-1])
    with urllib.request.urlopen(f"{runtime_mirror.http_url}/{name}.sha256", timeout=10) as resp:
        assert resp.status == 200
    assert runtime_mirror.file_url == runtime_mirror.path.as_uri()


def test_package_index_serves_installable_wheels(package_index, tmp_path):
    dest = tmp_path / "dl"
    env = {**os.environ, "PIP_CONFIG_FILE": "/dev/null"}
    env.pop("PIP_FIND_LINKS", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--index-url",
            package_index,
            "--no-deps",
            "--disable-pip-version-check",
            "--dest",
            str(dest),
            "flask",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [p.name for p in dest.iterdir() if p.name.startswith("flask-")]


def test_package_index_has_wheels_for_each_python(package_index):
    files = [p.name for p in (wheelhouse.wheelhouse_dir() / "files").iterdir()]
    for tag in ("cp310", "cp311", "cp312", "cp313"):
        assert any(f.startswith("markupsafe-") and f"-{tag}-" in f for f in files), tag
    with urllib.request.urlopen(f"{package_index}typing-extensions/", timeout=10) as resp:
        page = resp.read().decode()
    assert "../../files/typing_extensions-" in page and "#sha256=" in page


def test_project_name_parsing():
    assert wheelhouse.project_name("typing_extensions-4.16.0-py3-none-any.whl") == "typing-extensions"
    assert wheelhouse.project_name("Foo.Bar-1.0.tar.gz") == "foo-bar"
    assert wheelhouse.project_name("README.txt") is None


def _fake_buildpack_fixture(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "Procfile").write_text("web: python3 -m http.server $PORT --bind 127.0.0.1 --directory /app\n")
    (app / "hello.txt").write_text("hi from the slug\n")
    return app


def test_namespace_keeps_host_app_untouched(tmp_path):
    """A stand-in buildpack writes into /app during compile; the host's /app never sees it."""
    fake = tmp_path / "buildpack"
    (fake / "bin").mkdir(parents=True)
    for name, body in {
        "detect": "echo Fake",
        "compile": 'echo "compiling $1"; touch /app/marker-from-namespace; echo "export FROM_EXPORT=1" > '
        '"$(dirname "$0")/../export"; mkdir -p "$1/.profile.d"; echo "export PROFILE_RAN=yes" > '
        '"$1/.profile.d/x.sh"; ls /app; echo "python3=$(command -v python3 || echo none)"',
        "report": "echo '{\"ok\": true}'",
        "release": "echo '---'",
    }.items():
        (fake / "bin" / name).write_text(f"#!/usr/bin/env bash\n{body}\n")
        (fake / "bin" / name).chmod(0o755)
    app_runner.ensure_app_dir()
    before = sorted(os.listdir("/app"))

    result = app_runner.run_build(
        _fake_buildpack_fixture(tmp_path),
        cache_dir=tmp_path / "cache",
        buildpack_dir=fake,
        boot=True,
        http_path="/hello.txt",
        later_script="echo later:$FROM_EXPORT",
        system_python=False,
    )
    try:
        assert result.returncode == 0, result.output
        assert "marker-from-namespace" in result.output
        assert "python3=none" in result.output
        assert result.report_json == '{"ok": true}\n'
        assert result.release_yaml == "---\n"
        assert result.later_output == "later:1\n"
        assert result.later_env is not None and result.later_env["FROM_EXPORT"] == "1"
        assert result.http_status == 200, result.http_error
        assert result.http_body == "hi from the slug\n"
        assert not Path("/app/marker-from-namespace").exists()
        assert sorted(os.listdir("/app")) == before
        assert not (fake / "export").exists()  # written to the per-run copy only
        assert result.build_dir.is_dir() and result.build_dir.name.startswith("build_")
    finally:
        shutil.rmtree(result.build_dir, ignore_errors=True)


def test_build_env_is_clean(tmp_path):
    fake = tmp_path / "buildpack"
    (fake / "bin").mkdir(parents=True)
    (fake / "bin" / "detect").write_text("#!/bin/sh\nexit 0\n")
    (fake / "bin" / "compile").write_text(
        '#!/bin/sh\nenv | sort\nls "$3"\npython3 -c "import sys; print(sys.version)"\n'
    )
    (fake / "bin" / "release").write_text("#!/bin/sh\n")
    for p in (fake / "bin").iterdir():
        p.chmod(0o755)
    app = tmp_path / "app"
    app.mkdir()
    result = app_runner.run_build(
        app,
        cache_dir=tmp_path / "cache",
        buildpack_dir=fake,
        config={"SECRET_VAR": "x"},
        env={"EXTRA": "1"},
        runtime_base_url="http://127.0.0.1:1",
        system_python=mirror.pyenv_python("3.10.13"),
    )
    shutil.rmtree(result.build_dir, ignore_errors=True)
    assert result.returncode == 0, result.output
    lines = set(result.output.splitlines())
    assert {
        "HOME=/app",
        "STACK=heroku-24",
        "PIP_CONFIG_FILE=/dev/null",
        "NO_COLOR=1",
        "EXTRA=1",
        "PYTHON_RUNTIME_BASE_URL=http://127.0.0.1:1",
        "SECRET_VAR",
    } <= lines
    assert not any(line.startswith(("SECRET_VAR=", "PIP_FIND_LINKS=", "PYENV")) for line in lines)
    assert any(line.startswith("3.10.13") for line in lines)


def test_failed_detect_stops_the_build(tmp_path):
    fake = tmp_path / "buildpack"
    (fake / "bin").mkdir(parents=True)
    (fake / "bin" / "detect").write_text("#!/bin/sh\necho no app here\nexit 1\n")
    (fake / "bin" / "detect").chmod(0o755)
    app = tmp_path / "app"
    app.mkdir()
    result = app_runner.run_build(app, cache_dir=tmp_path / "cache", buildpack_dir=fake)
    shutil.rmtree(result.build_dir, ignore_errors=True)
    assert (result.returncode, result.detect_returncode) == (1, 1)
    assert result.output == "no app here\n"
    assert result.release_yaml is None and result.report_json is None


def test_build_in_app_copies_the_result_back(tmp_path: Path) -> None:
    fake = tmp_path / "buildpack"
    (fake / "bin").mkdir(parents=True)
    (fake / "bin" / "detect").write_text("#!/bin/sh\nexit 0\n")
    (fake / "bin" / "test-compile").write_text('#!/bin/sh\necho "build dir: $1"; echo built > "$1/out.txt"\n')
    (fake / "bin" / "release").write_text("#!/bin/sh\n")
    for p in (fake / "bin").iterdir():
        p.chmod(0o755)
    result = app_runner.run_build(
        _fake_buildpack_fixture(tmp_path),
        cache_dir=tmp_path / "cache",
        buildpack_dir=fake,
        script="test-compile",
        build_in_app=True,
    )
    try:
        assert result.returncode == 0, result.output
        assert result.output == "build dir: /app\n"
        assert (result.build_dir / "out.txt").read_text() == "built\n"
        assert (result.build_dir / "hello.txt").exists()
        assert not Path("/app/out.txt").exists()
    finally:
        shutil.rmtree(result.build_dir, ignore_errors=True)


@pytest.mark.skipif(
    not (app_runner.BUILDPACK_DIR / "bin" / "compile").exists()
    or not (app_runner.FIXTURES_DIR / "pip_flask_gunicorn").is_dir(),
    reason="needs the buildpack's bin/compile and the pip_flask_gunicorn fixture",
)
def test_real_buildpack_smoke(build_app, package_index) -> None:
    """The real buildpack builds and boots a Flask app from the local mirror and index, twice."""
    config = {"PIP_INDEX_URL": package_index}
    first = build_app("pip_flask_gunicorn", config=config, boot=True, later_script="python -c 'import flask'")
    assert first.returncode == 0, first.output
    assert first.later_returncode == 0, first.later_output
    assert first.http_status == 200, (first.http_error, first.server_output)
    assert "Hello from Flask" in (first.http_body or "")
    second = build_app("pip_flask_gunicorn", config=config)
    assert second.returncode == 0, second.output
    assert second.build_dir != first.build_dir
