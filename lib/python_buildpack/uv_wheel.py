"""Finding and fetching the uv wheel on the package index, without starting pip.

The index is the one the app configured for its package manager (UV_DEFAULT_INDEX,
UV_INDEX_URL, PIP_INDEX_URL) or else pip's own default, read from the runtime's bundled pip,
so the buildpack names no index itself. Pages are PEP 503 simple HTML; files are verified
against the sha256 the index gives.
"""

from __future__ import annotations

import hashlib
import html
import re
import urllib.parse
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .download import FetchFailure, Timeouts, fetch_bytes, with_retries

_TIMEOUTS = Timeouts(connect=10.0, read=30.0, attempts=3, retry_delay=0.5)
_HREF = re.compile(r"""<a\s[^>]*href=["']([^"']+)["']""", re.IGNORECASE)
_DEFAULT_INDEX = re.compile(r"""PackageIndex\(\s*["']([^"']+)["']""")
_ARCH_TAGS = {"amd64": "x86_64", "arm64": "aarch64"}


class WheelNotFound(Exception):
    """The index has no suitable uv wheel (or no index could be determined)."""


def index_url(env: Mapping[str, str], bundled_pip: Path | None) -> str:
    for name in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"):
        if env.get(name):
            return env[name].rstrip("/") + "/"
    if bundled_pip is None:
        raise WheelNotFound("no index configured and no bundled pip to ask for its default")
    with zipfile.ZipFile(bundled_pip) as wheel:
        source = wheel.read("pip/_internal/models/index.py").decode("utf-8", errors="replace")
    match = _DEFAULT_INDEX.search(source)
    if not match:
        raise WheelNotFound("could not read pip's default index")
    return urllib.parse.urljoin(match.group(1), "simple/")


def choose(filenames: list[str], version: str, arch: str) -> str | None:
    """The manylinux wheel of `version` for `arch` (glibc, as on the Heroku stacks)."""
    machine = _ARCH_TAGS.get(arch, arch)
    for name in filenames:
        if not (name.startswith(f"uv-{version}-") and name.endswith(".whl")):
            continue
        platform = name[: -len(".whl")].split("-")[-1]
        tags = platform.split(".")
        if any(tag.startswith("manylinux") and tag.endswith(machine) for tag in tags):
            return name
    return None


def find_wheel(index: str, version: str, arch: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """(wheel URL, sha256 or None) from the index's simple page for uv."""
    page_url = urllib.parse.urljoin(index, "uv/")
    page = with_retries(lambda: fetch_bytes(page_url, _TIMEOUTS, env, limit=64 << 20), _TIMEOUTS)
    links: dict[str, str] = {}
    for href in _HREF.findall(page.decode("utf-8", errors="replace")):
        url = urllib.parse.urljoin(page_url, html.unescape(href))
        name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        links.setdefault(name, url)
    chosen = choose(list(links), version, arch)
    if chosen is None:
        raise WheelNotFound(f"no uv {version} wheel for {arch} on the index")
    url = links[chosen]
    fragment = urllib.parse.urlsplit(url).fragment
    sha256 = fragment.split("=", 1)[1] if fragment.startswith("sha256=") else None
    return url.split("#", 1)[0], sha256


def fetch_wheel(url: str, sha256: str | None, env: Mapping[str, str]) -> bytes:
    data = with_retries(lambda: fetch_bytes(url, _TIMEOUTS, env, limit=512 << 20), _TIMEOUTS)
    if sha256 and hashlib.sha256(data).hexdigest() != sha256.lower():
        raise FetchFailure(
            "the uv wheel does not match the index's checksum", code="checksum", retryable=False
        )
    return data
