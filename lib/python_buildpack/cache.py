"""The build cache: what to keep, when to discard it, and moving it in and out.

Layout in CACHE_DIR:
  .heroku/python/          the installed runtime with the app's dependencies
  .heroku/pip-cache/       pip's download and wheel cache (kept even when the rest is discarded)
  .heroku/cache.json       the key the cached runtime was built for, written last and
                           atomically, and the runtime's baseline (dependency_reset.py): when
                           only the app's requirements changed, the next build takes the
                           dependencies out and starts from the runtime and package manager
  build-data/python.json   the build report

Following tox's Info.compare: compare the stored key with the new one, act, and write the
new key only after the work succeeded. A build killed half-way leaves a python dir without
a key, which the next build discards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .cache_copy import STAGING_PREFIX, BackgroundCopy, remove_trees, same_filesystem, sync
from .dependency_reset import Baseline

FORMAT = 1


@dataclass(frozen=True)
class CacheKey:
    """Everything the cached runtime and dependencies depend on."""

    stack: str
    python_version: str
    package_manager: str
    package_manager_version: str
    # Files whose contents decide the installed packages: relative path -> sha256.
    inputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stored:
    key: CacheKey | None
    install_key: str
    problem: str | None  # why a present metadata file could not be used
    baseline: Baseline | None = None  # the runtime before any dependency (older caches have none)


def python_dir(cache_dir: Path) -> Path:
    return cache_dir / ".heroku" / "python"


def metadata_file(cache_dir: Path) -> Path:
    return cache_dir / ".heroku" / "cache.json"


def read_stored(cache_dir: Path) -> Stored:
    return _read_key_file(metadata_file(cache_dir))


def _read_key_file(path: Path) -> Stored:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Stored(None, "", None)
    except (OSError, ValueError):
        return Stored(None, "", "The cache metadata is unreadable")
    try:
        if raw.get("format") != FORMAT:
            return Stored(None, "", "The cache format has changed")
        key = CacheKey(
            stack=str(raw["stack"]),
            python_version=str(raw["python_version"]),
            package_manager=str(raw["package_manager"]),
            package_manager_version=str(raw["package_manager_version"]),
            inputs={str(k): str(v) for k, v in dict(raw["inputs"]).items()},
        )
        baseline = Baseline.from_json(raw["baseline"]) if "baseline" in raw else None
        return Stored(key, str(raw.get("install_key", "")), None, baseline)
    except (AttributeError, KeyError, TypeError, ValueError):
        return Stored(None, "", "The cache metadata is unreadable")


def discard_reasons(stored: Stored, new: CacheKey) -> list[str]:
    """Every reason the cached runtime can't be reused, in words for the build log."""
    if stored.problem:
        return [stored.problem]
    old = stored.key
    if old is None:
        return ["The cache has no record of what it holds (an earlier build did not finish)"]
    reasons = []
    if old.stack != new.stack:
        reasons.append(f"The stack has changed from {old.stack} to {new.stack}")
    if old.python_version != new.python_version:
        reasons.append(f"The Python version has changed from {old.python_version} to {new.python_version}")
    if old.package_manager != new.package_manager:
        reasons.append(f"The package manager has changed from {old.package_manager} to {new.package_manager}")
    elif old.package_manager_version != new.package_manager_version:
        reasons.append(
            f"The {new.package_manager} version has changed from "
            f"{old.package_manager_version} to {new.package_manager_version}"
        )
    for name in sorted(set(old.inputs) | set(new.inputs)):
        if name not in old.inputs:
            reasons.append(f"{name} was added")
        elif name not in new.inputs:
            reasons.append(f"{name} was removed")
        elif old.inputs[name] != new.inputs[name]:
            reasons.append(f"The contents of {name} changed")
    return reasons


def only_dependencies_differ(stored: Stored, new: CacheKey) -> bool:
    """The cached runtime and package manager are right; the app's dependency inputs changed."""
    old = stored.key
    return (
        old is not None
        and stored.problem is None
        and (old.stack, old.python_version, old.package_manager, old.package_manager_version)
        == (new.stack, new.python_version, new.package_manager, new.package_manager_version)
    )


def _move_tree(src: Path, dest: Path) -> None:
    try:
        os.rename(src, dest)
    except OSError:
        # Cache and build dirs on different filesystems.
        shutil.copytree(src, dest, symlinks=True)
        shutil.rmtree(src, ignore_errors=True)


def restore(cache_dir: Path, build_python_home: Path) -> None:
    """Move the cached runtime into the build dir (a rename, not a copy)."""
    build_python_home.parent.mkdir(parents=True, exist_ok=True)
    _move_tree(python_dir(cache_dir), build_python_home)


def discard(cache_dir: Path) -> None:
    metadata_file(cache_dir).unlink(missing_ok=True)
    remove_trees(python_dir(cache_dir))


def save(
    cache_dir: Path,
    build_python_home: Path,
    key: CacheKey,
    install_key: str,
    *,
    baseline: Baseline | None,
    copy: BackgroundCopy | None = None,
) -> None:
    """Put the runtime back into the cache (hardlinks where possible), then write the key.

    With a background copy (cache_copy.py), only what differs from it is linked or removed."""
    heroku = cache_dir / ".heroku"
    heroku.mkdir(parents=True, exist_ok=True)
    discard(cache_dir)
    staged = copy.finish() if copy is not None else None
    if staged is None:
        _copy_tree(build_python_home, heroku, "python")
    else:
        sync(build_python_home, staged)
        os.rename(staged, python_dir(cache_dir))
        remove_trees(staged.parent)
    write_key(cache_dir, key, install_key, baseline)


def _copy_tree(src: Path, dest_parent: Path, name: str) -> Path:
    """Hardlink-copy `src` to dest_parent/name via a staging dir (never half there)."""
    staging = Path(tempfile.mkdtemp(dir=dest_parent, prefix=STAGING_PREFIX))
    link = ["--link"] if same_filesystem(src, dest_parent) else []
    subprocess.run(
        ["cp", "-a", *link, "--", str(src), str(staging / name)], check=True, stdout=subprocess.DEVNULL
    )
    os.rename(staging / name, dest_parent / name)
    staging.rmdir()
    return dest_parent / name


def write_key(cache_dir: Path, key: CacheKey, install_key: str, baseline: Baseline | None = None) -> None:
    data: dict[str, object] = {
        "format": FORMAT,
        **asdict(key),
        "inputs": dict(key.inputs),
        "install_key": install_key,
    }
    if baseline is not None:
        data["baseline"] = baseline.to_json()
    _write_json(metadata_file(cache_dir), data)


def _write_json(path: Path, data: dict[str, object]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache.json.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, sort_keys=True, indent=2)
    os.replace(tmp, path)


# What each package manager keeps in the build cache besides the runtime. uv also installs
# the other managers' tools, so its files belong to every manager but pip.
_TOOL_DIRS = {
    "poetry": ("python-poetry", "poetry-cache"),
    "pdm": ("python-pdm", "pdm-cache", "pdm-log"),
}
_UV_DIRS = ("python-uv", "uv-cache")
_USES_UV = frozenset({"uv", "poetry", "pdm", "pipenv"})


def remove_other_tools(cache_dir: Path, package_manager: str) -> None:
    """After a change of package manager, nothing of the old one stays behind."""
    names = [d for pm, dirs in _TOOL_DIRS.items() if pm != package_manager for d in dirs]
    if package_manager not in _USES_UV:
        names += _UV_DIRS
    for name in names:
        shutil.rmtree(cache_dir / ".heroku" / name, ignore_errors=True)


def remove_old_layout(cache_dir: Path) -> None:
    """Remove what older versions of the buildpack kept and this one doesn't.
    (Leftovers of killed saves are cache_copy.clean_stale's.)"""
    heroku = cache_dir / ".heroku"
    if heroku.is_dir():
        # Earlier versions kept a second copy of the runtime here instead of a baseline.
        remove_trees(heroku / "python-base")
        (heroku / "python-base.json").unlink(missing_ok=True)
