"""uv lockfiles for test apps, written against the local package index.

A committed uv.lock would name a registry host (and the local index's port changes every
session), so tests copy a fixture app and run `uv lock` in the copy, with the uv binary from the
test wheelhouse and a pyenv Python that satisfies the app's requires-python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from .app_runner import FIXTURES_DIR
from .mirror import pyenv_python
from .wheelhouse import ensure_wheelhouse


def unpack_uv(dest: Path) -> Path:
    """The uv binary from the wheelhouse's uv wheel (the version the buildpack pins)."""
    binary = dest / "uv"
    if binary.is_file():
        return binary
    wheel = next((ensure_wheelhouse() / "files").glob("uv-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".data/scripts/uv"))
        dest.mkdir(parents=True, exist_ok=True)
        tmp = dest / f".uv.{os.getpid()}"
        tmp.write_bytes(archive.read(member))
    tmp.chmod(0o755)
    os.replace(tmp, binary)
    return binary


def run_uv(
    uv: Path, app: Path, *args: str, cache: Path, python: str = "3.12.1"
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(cache.parent),
        "UV_CACHE_DIR": str(cache),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(uv), *args, "--python", str(pyenv_python(python))],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def locked_app(
    fixture: str, dest: Path, *, uv: Path, index_url: str, cache: Path, python: str = "3.12.1"
) -> Path:
    """A copy of tests/fixtures/<fixture> at dest with a fresh uv.lock (unless it has one)."""
    shutil.copytree(FIXTURES_DIR / fixture, dest, symlinks=True)
    if not (dest / "uv.lock").exists():
        lock(dest, uv=uv, index_url=index_url, cache=cache, python=python)
    return dest


def lock(app: Path, *, uv: Path, index_url: str, cache: Path, python: str = "3.12.1") -> None:
    result = run_uv(uv, app, "lock", "--default-index", index_url, cache=cache, python=python)
    if result.returncode != 0:
        raise RuntimeError(f"uv lock failed in {app}:\n{result.stdout}{result.stderr}")
