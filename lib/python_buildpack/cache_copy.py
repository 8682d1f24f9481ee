"""The build cache's copy of the runtime: made in the background, brought up to date at the end.

The cache must end the build holding the same runtime tree as the slug, as hardlinks. Making
such a copy of ~4,000 files and directories is the largest part of the buildpack's own time,
so it runs beside the build instead of after it: from the cached runtime as soon as compile
starts (on a rebuild that is what the build ends with, give or take the changed
dependencies), or from the runtime just installed on a cold build (while the package manager
and dependencies install). cp runs inside the source tree, so the build can move that tree
into the build dir meanwhile. At the end, `sync` makes the copy match the final tree exactly,
touching only what differs.

The copy is made in `.heroku/.python-saving.*`, which the next build removes if this one
never got to use it. This module is imported before the rest of the buildpack, to start the
copy within milliseconds: it imports little at the top.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

STAGING_PREFIX = ".python-saving."


class BackgroundCopy:
    def __init__(self, process: subprocess.Popen[bytes], dest: Path) -> None:
        self.process = process
        self.dest = dest  # <staging dir>/python, possibly incomplete until `finish`

    def top_up(self, source: Path) -> None:
        """Copy what was added to `source` since the copy started, in the background too.
        Skipped while the first copy still runs: never worth waiting for (`sync` catches up)."""
        if self.process.poll() is not None:
            self.process = _spawn_cp(source, self.dest, "--no-clobber")

    def finish(self) -> Path | None:
        """Wait for cp; the copy it made (maybe partial: `sync` completes it), or None when
        its staging dir is gone (a hook may delete the whole cache dir)."""
        self.process.wait()
        try:
            self.dest.mkdir(exist_ok=True)
        except FileNotFoundError:
            return None
        return self.dest

    def cancel(self) -> None:
        """Stop cp and remove what it made."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        remove_trees(self.dest.parent)


class Pending:
    """The build's background copy, if any: handed to the cache save, or cancelled."""

    def __init__(self, copy: BackgroundCopy | None = None) -> None:
        self._copy = copy

    def replace(self, copy: BackgroundCopy | None) -> None:
        self.cancel()
        self._copy = copy

    def top_up(self, source: Path) -> None:
        if self._copy is not None:
            self._copy.top_up(source)

    def take(self) -> BackgroundCopy | None:
        copy, self._copy = self._copy, None
        return copy

    def cancel(self) -> None:
        if self._copy is not None:
            self._copy.cancel()
            self._copy = None


def same_filesystem(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def start(source: Path, cache_dir: Path, build_dir: Path) -> BackgroundCopy | None:
    """Start copying `source` (hardlinks) into a new staging dir in the cache.

    None when there is nothing to copy or the cache and build dirs are on different
    filesystems (hardlinks impossible: the save then copies the files at the end)."""
    heroku = cache_dir / ".heroku"
    if not source.is_dir() or not heroku.is_dir() or not same_filesystem(heroku, build_dir):
        return None
    staging = heroku.absolute() / f"{STAGING_PREFIX}{os.getpid()}.{os.urandom(4).hex()}"
    try:
        staging.mkdir()
        dest = staging / "python"
        return BackgroundCopy(_spawn_cp(source, dest), dest)
    except OSError:
        # No copy now (an unwritable cache, no cp): the save copies the files at the end.
        remove_trees(staging)
        return None


def start_early(build_dir: str, cache_dir: str) -> BackgroundCopy | None:
    """First thing in bin/compile: clear what killed builds left, then start copying the
    cached runtime if the cache has a complete one (its key is written last)."""
    cache = Path(cache_dir)
    clean_stale(cache)
    if not (cache / ".heroku" / "cache.json").is_file():
        return None  # nothing worth copying: an empty cache, or one the build will discard
    return start(cache / ".heroku" / "python", cache, Path(build_dir))


def _spawn_cp(source: Path, dest: Path, *options: str) -> subprocess.Popen[bytes]:
    # Run inside `source` (paths relative to it): the build may rename the tree meanwhile. Its
    # exit status doesn't matter: files may come and go while it runs, and `sync` settles all.
    return subprocess.Popen(
        ["cp", "-a", "--link", *options, ".", str(dest)],
        cwd=source,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def remove_trees(*paths: Path) -> None:
    """Remove files, symlinks and whole trees, missing ones included, with one `rm -rf`
    (three times faster than shutil.rmtree on a runtime's thousands of files); shutil
    where rm can't run or fails."""
    paths = tuple(p for p in paths if p.exists() or p.is_symlink())
    if not paths:
        return  # no process started for nothing (this runs on every build)
    try:
        done = subprocess.run(["rm", "-rf", "--", *map(str, paths)], check=False).returncode == 0
    except OSError:
        done = False
    if not done:
        import shutil

        for path in paths:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def clean_stale(cache_dir: Path) -> None:
    """Remove the copies of builds that were killed or failed before they could use them."""
    heroku = cache_dir / ".heroku"
    if heroku.is_dir():
        for leftover in heroku.glob(f"{STAGING_PREFIX}*"):
            remove_trees(leftover)


def sync(source: Path, dest: Path) -> None:
    """Make `dest` the same tree as `source`, its files hardlinks of source's.

    Entries already linked to the same file are left alone, so after a rebuild only the
    changed dependencies cost anything. Removed entries go to a trash dir beside `dest`,
    removed in one go at the end."""
    import tempfile

    trash = Path(tempfile.mkdtemp(dir=dest.parent, prefix=".trash-"))
    try:
        _sync_dir(os.fspath(source), os.fspath(dest), _Trash(trash))
    finally:
        remove_trees(trash)


class _Trash:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def put(self, entry: os.DirEntry[str]) -> None:
        self.count += 1
        try:
            os.rename(entry.path, self.path / str(self.count))
        except OSError:
            if entry.is_dir(follow_symlinks=False):
                import shutil

                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)


def _same(wanted: os.DirEntry[str], present: os.DirEntry[str]) -> bool:
    if wanted.is_dir(follow_symlinks=False):
        return present.is_dir(follow_symlinks=False)
    return not present.is_dir(follow_symlinks=False) and wanted.inode() == present.inode()


def _sync_dir(source: str, dest: str, trash: _Trash) -> None:
    with os.scandir(source) as entries:
        wanted = {entry.name: entry for entry in entries}
    with os.scandir(dest) as entries:
        present = {entry.name: entry for entry in entries}
    for name, entry in list(present.items()):
        if name not in wanted or not _same(wanted[name], entry):
            trash.put(entry)
            del present[name]
    for name, entry in wanted.items():
        target = os.path.join(dest, name)
        if entry.is_dir(follow_symlinks=False):
            if name not in present:
                os.mkdir(target, entry.stat(follow_symlinks=False).st_mode & 0o7777)
            _sync_dir(entry.path, target, trash)
        elif name not in present:
            os.link(entry.path, target, follow_symlinks=False)
