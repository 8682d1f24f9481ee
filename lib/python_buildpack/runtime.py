"""Installing the Python runtime: which archive, from where, and checking it works.

Archives are `python-X.Y.Z-ubuntu-NN.04-ARCH.tar.zst`, holding the install tree itself
(bin/, lib/, include/, share/) at their root. The source is Heroku's bucket unless
PYTHON_RUNTIME_BASE_URL (env or config var) names another http(s):// or file:// base.

Runtime mirror listing (our format): a mirror may publish `<base>/index.txt` with one
archive file name per line; blank lines and `#` comments are ignored, and only the last
whitespace-separated word of a line counts, so `sha256sum *.tar.zst > index.txt` output
works too. When it exists, `3.X` requests resolve to the newest patch it lists.

Optional integrity file: `<archive>.sha256`, whose first word is the archive's hex SHA-256.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path

from . import output
from .context import BuildContext
from .download import FetchFailure, Timeouts, fetch_bytes, open_stream, redact_url, with_retries
from .errors.runtime import (
    PythonVersionNotAvailable,
    RuntimeCheckFailed,
    RuntimeDownloadFailed,
    RuntimeSettingInvalid,
)
from .process import run_captured

DEFAULT_BASE_URL = "https://heroku-buildpack-python.s3.dualstack.us-east-1.amazonaws.com"
INDEX_NAME = "index.txt"
_ARCHIVE_RE = re.compile(r"python-(\d+\.\d+\.\d+)-ubuntu-(\d+\.\d+)-([a-z0-9_]+)\.tar\.zst")
_SHA256_RE = re.compile(r"[0-9a-fA-F]{64}")
# A listing is a convenience: it must never hold the build up for long.
_INDEX_CONNECT_TIMEOUT = 5.0
_INDEX_READ_TIMEOUT = 10.0


def base_url(ctx: BuildContext) -> str:
    url = (ctx.setting("PYTHON_RUNTIME_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
    if not re.match(r"(?i)(https?|file)://.", url):
        raise RuntimeSettingInvalid("PYTHON_RUNTIME_BASE_URL", "an http://, https:// or file:// URL")
    return url


def archive_name(version: str, ctx: BuildContext) -> str:
    return f"python-{version}-ubuntu-{ctx.ubuntu_version}-{ctx.arch}.tar.zst"


def _seconds(ctx: BuildContext, name: str, default: float, *, allow_zero: bool = False) -> float:
    raw = ctx.setting(name)
    if raw is None:
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        value = -1.0
    if value != value or value < 0 or (value == 0 and not allow_zero) or value > 3600:  # noqa: PLR0124 - NaN
        raise RuntimeSettingInvalid(name, "a number of seconds (for example 10 or 2.5)")
    return value


def timeouts(ctx: BuildContext) -> Timeouts:
    """Download timeouts; the knobs exist for slow networks (and for fast tests)."""
    return Timeouts(
        connect=_seconds(ctx, "PYTHON_RUNTIME_CONNECT_TIMEOUT", 10.0),
        read=_seconds(ctx, "PYTHON_RUNTIME_READ_TIMEOUT", 30.0),
        retry_delay=_seconds(ctx, "PYTHON_RUNTIME_RETRY_DELAY", 0.5, allow_zero=True),
    )


def parse_index(text: str, ctx: BuildContext) -> frozenset[str]:
    """The versions an index.txt lists for this context's Ubuntu release and architecture."""
    versions = set()
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        match = _ARCHIVE_RE.fullmatch(words[-1].rsplit("/", 1)[-1].lstrip("*"))
        if match and match.group(2) == ctx.ubuntu_version and match.group(3) == ctx.arch:
            versions.add(match.group(1))
    return frozenset(versions)


def available_versions(ctx: BuildContext) -> frozenset[str] | None:
    """The versions a mirror lists, or None when it publishes no listing (or is Heroku's)."""
    base = base_url(ctx)
    if base == DEFAULT_BASE_URL:
        return None
    configured = timeouts(ctx)
    quick = Timeouts(
        connect=min(configured.connect, _INDEX_CONNECT_TIMEOUT),
        read=min(configured.read, _INDEX_READ_TIMEOUT),
        attempts=1,
    )
    try:
        data = fetch_bytes(f"{base}/{INDEX_NAME}", quick, ctx.environ, limit=1024 * 1024)
    except FetchFailure:
        return None
    return parse_index(data.decode("utf-8", errors="replace"), ctx)


def _published_checksum(url: str, limits: Timeouts, ctx: BuildContext) -> str | None:
    try:
        data = with_retries(
            lambda: fetch_bytes(url, limits, ctx.environ, limit=64 * 1024), limits, on_retry=_say_retrying
        )
    except FetchFailure as failure:
        if failure.missing:
            return None
        raise
    words = data.decode("utf-8", errors="replace").split()
    if not words or not _SHA256_RE.fullmatch(words[0]):
        raise FetchFailure(
            "the .sha256 file does not start with a SHA-256 checksum",
            code="bad-checksum-file",
            retryable=False,
        )
    return words[0].lower()


def _say_retrying(failure: FetchFailure, delay: float) -> None:
    output.info(f"Download failed ({failure.cause}); retrying in {delay:g} s...")


def _download_into(
    url: str, dest: Path, limits: Timeouts, ctx: BuildContext, expected_sha: str | None
) -> Path:
    """One attempt: a fresh temp dir beside dest, filled and verified; removed on any failure."""
    from .extract import extract_stream  # tarfile: only builds that download a runtime need it

    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        stream = open_stream(url, limits, ctx.environ)
        digest = extract_stream(stream.chunks(), staging, abort=stream.abort)
        if expected_sha is not None and digest != expected_sha:
            raise FetchFailure(
                f"its SHA-256 checksum {digest} does not match the published {expected_sha}",
                code="checksum-mismatch",
                retryable=False,
            )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _replace(staging: Path, dest: Path) -> None:
    """Put the finished tree at dest, replacing whatever was there."""
    if dest.is_symlink() or dest.is_file():
        dest.unlink()
    elif dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.replace(dest, old / "tree")
        shutil.rmtree(old, ignore_errors=True)
    os.replace(staging, dest)


def install_runtime(ctx: BuildContext, version: str, dest: Path, *, known_versions: Collection[str]) -> None:
    """Download Python `version` and extract it to `dest`; on failure nothing is left at dest's side."""
    from .extract import ArchiveError

    base = base_url(ctx)
    url = f"{base}/{archive_name(version, ctx)}"
    shown_url = redact_url(url)
    custom = base != DEFAULT_BASE_URL
    limits = timeouts(ctx)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        expected_sha = _published_checksum(f"{url}.sha256", limits, ctx)
    except FetchFailure as failure:
        raise RuntimeDownloadFailed(
            version, url=f"{shown_url}.sha256", cause=failure.cause, code=failure.code, custom_source=custom
        ) from failure
    try:
        staging = with_retries(
            lambda: _download_into(url, dest, limits, ctx, expected_sha), limits, on_retry=_say_retrying
        )
    except FetchFailure as failure:
        if failure.missing:
            raise PythonVersionNotAvailable(
                version,
                stack=ctx.stack,
                arch=ctx.arch,
                url=shown_url,
                available=[v for v in known_versions if v != version],
                custom_source=custom,
            ) from failure
        raise RuntimeDownloadFailed(
            version, url=shown_url, cause=failure.cause, code=failure.code, custom_source=custom
        ) from failure
    except ArchiveError as err:
        raise RuntimeDownloadFailed(
            version, url=shown_url, cause=err.cause, code=err.code, custom_source=custom
        ) from err
    try:
        _replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_runtime(python_home: Path, expected_version: str) -> None:
    """The installed runtime must start and report the version that was asked for."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LD_LIBRARY_PATH": str(python_home / "lib"),
        "LANG": "C.UTF-8",
    }
    result = run_captured([python_home / "bin" / "python", "-V"], env=env, timeout=60)
    if not result.ok or result.output.strip() != f"Python {expected_version}":
        raise RuntimeCheckFailed(expected_version, result.output)
