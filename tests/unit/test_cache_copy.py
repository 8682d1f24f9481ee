"""cache_copy: the background hardlink copy and the sync that completes it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from python_buildpack import cache_copy


def _write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _listing(root: Path) -> dict[str, tuple[str, int | str]]:
    """Every entry under root: its kind and its inode (files) or target (symlinks)."""
    found: dict[str, tuple[str, int | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("dir", 0)
            else:
                found[rel] = ("file", path.stat().st_ino)
    return found


def _runtime(root: Path) -> Path:
    _write(root / "bin" / "python3.12")
    (root / "bin" / "python").symlink_to("python3.12")
    _write(root / "lib" / "python3.12" / "os.py")
    _write(root / "lib" / "python3.12" / "__pycache__" / "os.cpython-312.pyc")
    _write(root / "lib" / "python3.12" / "site-packages" / "pip" / "__init__.py")
    (root / "lib" / "python3.12" / "site-packages" / "empty").mkdir()
    return root


def test_sync_into_an_empty_dir_links_everything(tmp_path: Path) -> None:
    source = _runtime(tmp_path / "build" / "python")
    dest = tmp_path / "cache" / "python"
    dest.mkdir(parents=True)
    cache_copy.sync(source, dest)
    assert _listing(dest) == _listing(source)
    assert (dest / "bin" / "python").is_symlink()
    assert not list((tmp_path / "cache").glob(".trash-*"))


def test_sync_changes_only_what_differs(tmp_path: Path) -> None:
    source = _runtime(tmp_path / "build" / "python")
    dest = tmp_path / "cache" / "python"
    dest.parent.mkdir()
    subprocess.run(["cp", "-a", "--link", str(source), str(dest)], check=True)
    kept = (dest / "lib" / "python3.12" / "os.py").stat().st_ino
    site = source / "lib" / "python3.12" / "site-packages"
    # The build changed its dependencies: one removed, one added, one replaced by a new file,
    # a file where a directory was and a directory where a file was.
    (site / "pip" / "__init__.py").unlink()
    _write(site / "flask" / "__init__.py")
    replaced = source / "bin" / "python3.12"
    replaced.unlink()
    _write(replaced, "new")
    (site / "empty").rmdir()
    _write(site / "empty", "now a file")
    (source / "lib" / "python3.12" / "os.py").unlink()
    _write(source / "lib" / "python3.12" / "os.py" / "inside")
    os.utime(source / "lib" / "python3.12" / "os.py")

    cache_copy.sync(source, dest)
    assert _listing(dest) == _listing(source)
    assert (dest / "bin" / "python3.12").read_text() == "new"
    assert kept != (dest / "lib" / "python3.12" / "os.py").stat().st_ino


def test_sync_keeps_directory_modes(tmp_path: Path) -> None:
    source = _runtime(tmp_path / "build" / "python")
    private = source / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    dest = tmp_path / "cache" / "python"
    dest.mkdir(parents=True)
    cache_copy.sync(source, dest)
    assert (dest / "private").stat().st_mode & 0o777 == 0o700


def _cache_and_build(tmp_path: Path) -> tuple[Path, Path]:
    cache_dir = tmp_path / "cache"
    (cache_dir / ".heroku").mkdir(parents=True)
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    return cache_dir, build_dir


def _copying_build(tmp_path: Path) -> tuple[Path, cache_copy.BackgroundCopy]:
    """A built runtime and its background copy into the cache, started."""
    cache_dir, build_dir = _cache_and_build(tmp_path)
    source = _runtime(build_dir / ".heroku" / "python")
    copy = cache_copy.start(source, cache_dir, build_dir)
    assert copy is not None
    return source, copy


def test_background_copy_then_sync(tmp_path: Path) -> None:
    source, copy = _copying_build(tmp_path)
    assert copy.dest.parent.name.startswith(cache_copy.STAGING_PREFIX)
    _write(source / "lib" / "python3.12" / "site-packages" / "six.py")  # added while cp may run
    staged = copy.finish()
    cache_copy.sync(source, staged)
    assert _listing(staged) == _listing(source)


def test_copy_survives_the_source_being_moved(tmp_path: Path) -> None:
    cache_dir, build_dir = _cache_and_build(tmp_path)
    cached = _runtime(cache_dir / ".heroku" / "python")
    copy = cache_copy.start(cached, cache_dir, build_dir)
    assert copy is not None
    moved = build_dir / ".heroku" / "python"
    moved.parent.mkdir()
    cached.rename(moved)  # the restore, while cp runs inside the tree
    staged = copy.finish()
    cache_copy.sync(moved, staged)
    assert _listing(staged) == _listing(moved)


def test_top_up_copies_what_was_added(tmp_path: Path) -> None:
    source, copy = _copying_build(tmp_path)
    copy.process.wait()
    added = _write(source / "lib" / "python3.12" / "site-packages" / "setuptools" / "__init__.py")
    copy.top_up(source)
    copy.process.wait()
    linked = copy.dest / added.relative_to(source)
    assert linked.stat().st_ino == added.stat().st_ino
    assert _listing(copy.dest) == _listing(source)


def test_top_up_never_waits_for_a_running_copy(tmp_path: Path) -> None:
    source, copy = _copying_build(tmp_path)
    running = subprocess.Popen(["sleep", "30"])
    first, copy.process = copy.process, running
    try:
        copy.top_up(source)
        assert copy.process is running  # still the same process, and top_up returned at once
    finally:
        running.kill()
        running.wait()
        first.wait()


def test_cancel_removes_the_staging_dir(tmp_path: Path) -> None:
    cache_dir, build_dir = _cache_and_build(tmp_path)
    source = _runtime(build_dir / ".heroku" / "python")
    pending = cache_copy.Pending(cache_copy.start(source, cache_dir, build_dir))
    pending.cancel()
    pending.cancel()  # twice is harmless
    assert list((cache_dir / ".heroku").iterdir()) == []
    assert pending.take() is None


def test_no_copy_without_a_source_or_across_filesystems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir, build_dir = _cache_and_build(tmp_path)
    assert cache_copy.start(tmp_path / "missing", cache_dir, build_dir) is None
    source = _runtime(build_dir / ".heroku" / "python")
    assert cache_copy.start(source, tmp_path / "no-cache-yet", build_dir) is None
    monkeypatch.setattr(cache_copy, "same_filesystem", lambda a, b: False)
    assert cache_copy.start(source, cache_dir, build_dir) is None


def test_clean_stale_removes_leftover_copies(tmp_path: Path) -> None:
    heroku = tmp_path / ".heroku"
    _write(heroku / f"{cache_copy.STAGING_PREFIX}abc" / "python" / "bin" / "python")
    _write(heroku / "python" / "bin" / "python")
    cache_copy.clean_stale(tmp_path)
    assert sorted(p.name for p in heroku.iterdir()) == ["python"]


def test_start_early_copies_a_complete_cache(tmp_path: Path) -> None:
    cache_dir, build_dir = _cache_and_build(tmp_path)
    stale = _write(cache_dir / ".heroku" / f"{cache_copy.STAGING_PREFIX}old" / "python" / "x")
    cached = _runtime(cache_dir / ".heroku" / "python")
    assert cache_copy.start_early(str(build_dir), str(cache_dir)) is None  # no key: not complete
    assert not stale.exists()

    (cache_dir / ".heroku" / "cache.json").write_text("{}")
    copy = cache_copy.start_early(str(build_dir), str(cache_dir))
    assert copy is not None
    staged = copy.finish()
    assert staged is not None
    assert _listing(staged) == _listing(cached)


def test_no_copy_when_cp_cannot_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir, build_dir = _cache_and_build(tmp_path)
    source = _runtime(build_dir / ".heroku" / "python")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert cache_copy.start(source, cache_dir, build_dir) is None
    assert list((cache_dir / ".heroku").iterdir()) == []
