"""Streamed, safe extraction of a `.tar.zst` archive.

Python's stdlib has no zstd before 3.14, so the bytes go through the `zstd` binary (on every
Heroku stack image): a thread feeds downloaded chunks to its stdin, hashing them on the way,
while tarfile reads its stdout in streaming mode. Nothing is written to disk but the tree.

Members are written by hand rather than with `TarFile.extract`, whose filters differ between
3.10, 3.12 and 3.14. Refused: absolute names, `..` components, device files and FIFOs, links
whose target leaves the install dir, and writes through a symlink that leads outside it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

# `--long=31` accepts the large windows `zstd --long --ultra` archives may use.
ZSTD_COMMAND = ("zstd", "-d", "-c", "-q", "--long=31")


class ArchiveError(Exception):
    """The archive is corrupt or unsafe; `code` is "corrupt-archive" or "unsafe-archive"."""

    def __init__(self, cause: str, *, code: str) -> None:
        super().__init__(cause)
        self.cause = cause
        self.code = code


def _unsafe(name: str, why: str) -> ArchiveError:
    return ArchiveError(f"the archive contains an unsafe entry '{name}' ({why})", code="unsafe-archive")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _member_name(raw: str) -> str | None:
    """The member's path relative to the install dir, "./" prefixes removed; None for the root."""
    if raw.startswith("/") or raw.startswith("\\"):
        raise _unsafe(raw, "absolute path")
    parts = [part for part in raw.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _unsafe(raw, "path goes up with '..'")
    return "/".join(parts) or None


def _check_writable_place(root: str, name: str, raw: str) -> str:
    """The destination path; refuses parents that resolve outside root through a symlink."""
    dest = os.path.join(root, name)
    if not _within(os.path.realpath(os.path.dirname(dest)), root):
        raise _unsafe(raw, "it would be written through a link that leads outside the install dir")
    return dest


def _remove_existing(dest: str) -> None:
    # Replace an earlier member of the same name; never write through it if it is a link.
    if os.path.islink(dest) or (os.path.lexists(dest) and not os.path.isdir(dest)):
        os.unlink(dest)


def _extract_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, root: str, dirs: list[tuple[str, int]]
) -> None:
    name = _member_name(member.name)
    if name is None:
        return
    dest = _check_writable_place(root, name, member.name)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    mode = member.mode & 0o777  # no setuid/setgid/sticky bits from a download
    if member.isdir():
        if os.path.islink(dest):
            os.unlink(dest)
        os.makedirs(dest, exist_ok=True)
        dirs.append((dest, mode))
    elif member.isreg():
        _remove_existing(dest)
        source = tar.extractfile(member)
        assert source is not None
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        os.chmod(dest, mode)
        os.utime(dest, (member.mtime, member.mtime))
    elif member.issym():
        target = member.linkname
        if target.startswith("/"):
            raise _unsafe(member.name, f"symlink to the absolute path {target}")
        lexical = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        resolved = os.path.realpath(os.path.join(os.path.dirname(dest), target))
        if lexical == ".." or lexical.startswith("../") or not _within(resolved, root):
            raise _unsafe(member.name, f"symlink to {target}, outside the install dir")
        _remove_existing(dest)
        os.symlink(target, dest)
    elif member.islnk():
        target_name = _member_name(member.linkname)
        if target_name is None:
            raise _unsafe(member.name, "hard link to a directory")
        target = os.path.join(root, target_name)
        if not _within(os.path.realpath(target), root):
            raise _unsafe(member.name, f"hard link to {member.linkname}, outside the install dir")
        _remove_existing(dest)
        os.link(target, dest, follow_symlinks=False)
    else:
        raise _unsafe(member.name, "device file, FIFO or other special file")


def _check_final_links(root: str) -> None:
    """Links checked one by one can still combine to escape; the finished tree must not."""
    for dirpath, dirnames, filenames in os.walk(root):
        for entry in dirnames + filenames:
            path = os.path.join(dirpath, entry)
            if os.path.islink(path) and not _within(os.path.realpath(path), root):
                raise _unsafe(os.path.relpath(path, root), "symlink that leads outside the install dir")


def _extract_all(stream: IO[bytes], root: str) -> None:
    dirs: list[tuple[str, int]] = []
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                _extract_member(tar, member, root, dirs)
    except (tarfile.TarError, EOFError, ValueError) as err:  # ValueError: some malformed headers
        raise ArchiveError(f"the archive is not a valid tar file ({err})", code="corrupt-archive") from err
    except OSError as err:
        raise ArchiveError(f"writing the files failed ({err.strerror or err})", code="write-error") from err
    # Directory modes last, so a read-only directory did not stop its files from being written.
    for path, mode in reversed(dirs):
        os.chmod(path, mode | 0o700)
    _check_final_links(root)


def _feed(
    chunks: Iterable[bytes], sink: IO[bytes], update: Callable[[bytes], None], errors: list[BaseException]
) -> None:
    try:
        for chunk in chunks:
            update(chunk)
            sink.write(chunk)
    except BrokenPipeError:
        pass  # the reader stopped early; its error is the one reported
    except BaseException as err:  # noqa: BLE001 - handed to the main thread, which re-raises it
        errors.append(err)
    finally:
        try:
            sink.close()
        except OSError:
            pass


def _zstd_failure(proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> ArchiveError | None:
    """zstd's own complaint, when it failed by itself (rather than being stopped by us)."""
    try:
        returncode = proc.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        return None
    if returncode <= 0:
        return None
    stderr.seek(0)
    lines = stderr.read().decode("utf-8", "replace").strip().splitlines()
    why = lines[-1] if lines else f"exit status {returncode}"
    return ArchiveError(f"the archive is not valid zstd-compressed data ({why})", code="corrupt-archive")


def extract_stream(chunks: Iterable[bytes], root: Path, *, abort: Callable[[], None] = lambda: None) -> str:
    """Decompress and extract `chunks` into the existing directory `root`; returns their sha256.

    `abort` must unblock a producer stuck waiting for data (e.g. shut its socket down).
    Errors raised while producing chunks (the download) win over the decompressor's and the
    tar reader's, since a broken download is what made those fail.
    """
    digest = hashlib.sha256()
    errors: list[BaseException] = []
    with tempfile.TemporaryFile() as zstd_stderr:
        try:
            proc = subprocess.Popen(
                ZSTD_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=zstd_stderr
            )
        except OSError as err:
            abort()
            raise ArchiveError(
                f"the zstd program could not be run ({err.strerror})", code="zstd-missing"
            ) from err
        assert proc.stdin is not None and proc.stdout is not None
        feeder = threading.Thread(target=_feed, args=(chunks, proc.stdin, digest.update, errors), daemon=True)
        feeder.start()
        failure: ArchiveError | None = None
        try:
            _extract_all(proc.stdout, str(root.resolve()))
            # Drain what follows the tar end marker, or zstd and the feeder block forever.
            while proc.stdout.read(1024 * 1024):
                pass
        except ArchiveError as err:
            failure = _zstd_failure(proc, zstd_stderr) or err
        except BaseException:
            proc.kill()
            abort()
            proc.stdout.close()
            proc.wait()
            feeder.join(timeout=2)
            raise
        # A download error recorded before we stop the producer is the root cause; errors
        # after it are only the echo of abort().
        download_errors = list(errors)
        if failure is not None:
            proc.kill()
            abort()
        proc.stdout.close()
        returncode = proc.wait()
        feeder.join()
        if failure is None:
            download_errors = errors
        if download_errors:
            raise download_errors[0]
        if failure is not None:
            raise failure
        if returncode != 0:
            raise _zstd_failure(proc, zstd_stderr) or ArchiveError(
                "the archive is not valid zstd-compressed data", code="corrupt-archive"
            )
    return digest.hexdigest()
