"""A local PEP 503 package index for integration tests.

Wheels listed in tests/wheelhouse-requirements.txt (and their dependencies) are downloaded once
per mirrored Python version into ~/.cache/python-buildpack-tests/wheelhouse/files/ (override
with $BUILDPACK_TEST_WHEELHOUSE_DIR), then a static simple index is written next to them:
simple/<normalized-name>/index.html links to ../../files/<file>#sha256=<hash>. A marker file keyed
on the requirements file's hash records a finished download, so later sessions reuse it.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from . import mirror

REQUIREMENTS = Path(__file__).resolve().parents[1] / "wheelhouse-requirements.txt"
# Wheels exist for each Python version the buildpack supports and the mirror has.
TARGET_MINORS = ((3, 10), (3, 11), (3, 12), (3, 13))
DIST_EXTENSIONS = (".whl", ".tar.gz", ".zip")


def wheelhouse_dir() -> Path:
    override = os.environ.get("BUILDPACK_TEST_WHEELHOUSE_DIR")
    if override:
        return Path(override)
    return Path.home() / ".cache" / "python-buildpack-tests" / "wheelhouse"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project_name(filename: str) -> str | None:
    """The normalized project name of a wheel or sdist file name."""
    if filename.endswith(".whl"):
        return normalize(filename.split("-", 1)[0])
    for ext in (".tar.gz", ".zip"):
        if filename.endswith(ext):
            stem = filename[: -len(ext)]
            name, sep, _version = stem.rpartition("-")
            return normalize(name) if sep else None
    return None


def _requires_python(path: Path) -> str | None:
    if not path.name.endswith(".whl"):
        return None
    try:
        with zipfile.ZipFile(path) as wheel:
            meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
            headers = HeaderParser().parsestr(wheel.read(meta).decode("utf-8", "replace"))
    except (OSError, StopIteration, zipfile.BadZipFile):
        return None
    value = headers.get("Requires-Python")
    return value.strip() if value else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_simple_index(root: Path) -> None:
    """(Re)write root/simple/ for every distribution file in root/files/."""
    files_dir = root / "files"
    projects: dict[str, list[Path]] = {}
    for path in sorted(files_dir.iterdir()):
        name = project_name(path.name)
        if name and path.name.endswith(DIST_EXTENSIONS):
            projects.setdefault(name, []).append(path)
    simple = root / "simple"
    simple.mkdir(parents=True, exist_ok=True)
    for name, paths in projects.items():
        links = []
        for path in paths:
            requires = _requires_python(path)
            attr = f' data-requires-python="{html.escape(requires)}"' if requires else ""
            href = f"../../files/{path.name}#sha256={_sha256(path)}"
            links.append(f'    <a href="{html.escape(href)}"{attr}>{html.escape(path.name)}</a><br>\n')
        page = f"<!DOCTYPE html>\n<html><body>\n{''.join(links)}</body></html>\n"
        (simple / name).mkdir(exist_ok=True)
        _write_atomic(simple / name / "index.html", page)
    top = "".join(f'    <a href="{n}/">{n}</a><br>\n' for n in sorted(projects))
    _write_atomic(simple / "index.html", f"<!DOCTYPE html>\n<html><body>\n{top}</body></html>\n")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _interpreter_for(minor: tuple[int, int]) -> list[str]:
    """Download with the target interpreter itself so environment markers (e.g. tomli for <3.11)
    are evaluated for that version; fall back to pip's --python-version otherwise."""
    for version, path in mirror.pyenv_versions().items():
        if tuple(int(p) for p in version.split(".")[:2]) == minor:
            return [str(path / "bin" / "python3"), "-m", "pip"]
    return [sys.executable, "-m", "pip", "--python-version", f"{minor[0]}.{minor[1]}"]


def download(root: Path, requirements: Path = REQUIREMENTS) -> None:
    files_dir = root / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    for minor in TARGET_MINORS:
        base = _interpreter_for(minor)
        pip, extra = base[:3], base[3:]
        cmd = [*pip, "download", "--quiet", "--only-binary=:all:", "--dest", str(files_dir), *extra]
        proc = subprocess.run([*cmd, "-r", str(requirements)], check=False, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"pip download for Python {minor} failed:\n{proc.stdout}{proc.stderr}")


def ensure_wheelhouse(directory: Path | None = None, requirements: Path = REQUIREMENTS) -> Path:
    """Download the wheels (once per requirements content) and write the simple index."""
    root = directory or wheelhouse_dir()
    root.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(requirements.read_bytes() + repr(TARGET_MINORS).encode()).hexdigest()[:16]
    marker = root / f".complete-{key}"
    with mirror.file_lock(root / ".lock"):
        if not marker.exists():
            download(root, requirements)
            build_simple_index(root)
            for old in root.glob(".complete-*"):
                old.unlink()
            marker.write_text(f"{requirements}\n")
    return root
