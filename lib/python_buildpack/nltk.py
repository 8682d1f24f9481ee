"""NLTK: download the data packages listed in nltk.txt into the slug, and set NLTK_DATA.

The download runs NLTK's own downloader (nltk.downloader.Downloader) with the app's Python,
through a small driver rather than `python -m nltk.downloader`: the driver iterates the
downloader's messages itself, so a failing package never reaches NLTK's interactive "Retry?"
prompt, and it never prints a traceback. The data goes to BUILD_DIR/.heroku/python/nltk_data
(the real build path, not the /app symlink, which NLTK's extractor refuses to follow), so it
travels with the runtime into the cache; packages already there are not downloaded again.

NLTK 3.10+ refuses index URLs on private or loopback addresses. An index the app owner named
in NLTK_INDEX_URL is trusted: the driver exempts exactly that host's addresses from the check,
and the directory of a file:// index is added to NLTK's data path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path

from . import environment, output
from .context import BuildContext
from .django import distribution_installed
from .environment import EnvVar
from .errors.nltk import NltkDownloadFailed, NltkIndexRefused, NltkInvalidEntries, NltkNotImportable
from .process import run_streamed
from .report import BuildReport

NLTK_FILE = "nltk.txt"
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_FAILED_RE = re.compile(r"^nltk-driver: failed: (.+)$", re.MULTILINE)

# Runs with the app's Python: argv = download dir, index URL ("" for NLTK's default), ids.
# Exit 0: all installed; 1: some failed ("nltk-driver: failed: a, b" on the last line);
# 2: the index was refused; 3: nltk could not be imported.
DRIVER = r"""
import ipaddress, os, socket, sys, urllib.parse
download_dir, index_url, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    import nltk
    from nltk import downloader as dl
except Exception as err:
    print(f"nltk-driver: cannot import nltk: {type(err).__name__}: {err}", flush=True)
    sys.exit(3)

def trust(url):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        folder = os.path.dirname(urllib.parse.unquote(parsed.path))
        if folder not in nltk.data.path:
            nltk.data.path.append(folder)
        return
    pathsec = getattr(nltk, "pathsec", None)
    check = getattr(pathsec, "_ip_is_forbidden", None)
    if check is None or not parsed.hostname:
        return
    trusted = set()
    try:
        trusted.add(ipaddress.ip_address(parsed.hostname))
    except ValueError:
        try:
            for info in socket.getaddrinfo(parsed.hostname, None, proto=socket.IPPROTO_TCP):
                trusted.add(ipaddress.ip_address(info[4][0]))
        except (OSError, ValueError):
            return
    pathsec._ip_is_forbidden = lambda ip: ip not in trusted and check(ip)

if index_url:
    trust(index_url)
os.makedirs(download_dir, exist_ok=True)
downloader = dl.Downloader(server_index_url=index_url or None, download_dir=download_dir)
failed, refused = [], False
for package_id in ids:
    try:
        for msg in downloader.incr_download(package_id, download_dir):
            if isinstance(msg, dl.ErrorMessage):
                text = str(msg.message)
                print(f"{package_id}: {text}", flush=True)
                refused = refused or "Security Violation" in text
                failed.append(package_id)
                break
            if isinstance(msg, dl.StartDownloadMessage):
                print(f"Downloading {msg.package.id}", flush=True)
            elif isinstance(msg, dl.StartUnzipMessage):
                print(f"Unpacking {msg.package.id}", flush=True)
            elif isinstance(msg, dl.UpToDateMessage):
                print(f"{msg.package.id} is already up to date", flush=True)
    except Exception as err:
        text = f"{type(err).__name__}: {err}"
        print(f"{package_id}: {text}", flush=True)
        refused = refused or "Security Violation" in text
        failed.append(package_id)
if refused:
    print("nltk-driver: index refused", flush=True)
    sys.exit(2)
if failed:
    print("nltk-driver: failed: " + ", ".join(failed), flush=True)
    sys.exit(1)
"""


def data_dir(ctx: BuildContext) -> Path:
    """Where the corpora really are during the build."""
    return ctx.build_python_home / "nltk_data"


def runtime_env() -> list[EnvVar]:
    """NLTK_DATA for dynos, later buildpacks and the rest of the build."""
    return [environment.set_("NLTK_DATA", "{home}/.heroku/python/nltk_data")]


def read_ids(path: Path) -> list[str]:
    """Package ids from nltk.txt: whitespace- or comma-separated, `#` starts a comment."""
    ids: list[str] = []
    invalid: list[tuple[int, str]] = []
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        for token in re.split(r"[\s,]+", line.split("#", 1)[0].strip()):
            if not token:
                continue
            if _ID_RE.fullmatch(token) and ".." not in token:
                if token not in ids:
                    ids.append(token)
            else:
                invalid.append((number, token))
    if invalid:
        raise NltkInvalidEntries(invalid)
    return ids


def _installed(root: Path, package_id: str) -> bool:
    # NLTK keeps <subdir>/<id>.zip and, for most packages, the unzipped <subdir>/<id>/.
    return any(root.glob(f"*/{package_id}.zip")) or any(p.is_dir() for p in root.glob(f"*/{package_id}"))


def download_corpora(ctx: BuildContext, report: BuildReport, env: Mapping[str, str]) -> list[EnvVar]:
    """Download what nltk.txt lists when nltk is installed. Returns the env vars to add to the
    runtime environment (NLTK_DATA) when corpora are present, else []."""
    if not distribution_installed(ctx.build_python_home, "nltk"):
        return []
    nltk_file = ctx.build_dir / NLTK_FILE
    if not nltk_file.is_file():
        output.step("Skipping NLTK data download: nltk is installed, but there is no nltk.txt")
        report.set("nltk_downloader", "skipped-no-nltk-file")
        return []
    ids = read_ids(nltk_file)
    if not ids:
        output.step("Skipping NLTK data download: nltk.txt lists no packages")
        report.set("nltk_downloader", "skipped-empty-nltk-file")
        return []

    target = data_dir(ctx)
    missing = [package_id for package_id in ids if not _installed(target, package_id)]
    if not missing:
        output.step(f"Using cached NLTK data: {', '.join(ids)}")
        report.set("nltk_downloader", "cached")
        return runtime_env()

    index_url = ctx.setting("NLTK_INDEX_URL") or ""
    output.step(f"Downloading NLTK data: {', '.join(missing)}")
    started = time.monotonic()
    python = ctx.python_home / "bin" / "python"
    result = run_streamed(
        [python, "-I", "-c", DRIVER, target, index_url, *missing],
        env=env,
        cwd=ctx.build_dir,
        filter_line=lambda line: line if line.strip() else None,
    )
    report.duration("nltk_downloader_duration", started)
    if result.returncode == 3:
        report.set("nltk_downloader", "failed")
        lines = result.output.strip().splitlines() or ["no output"]
        raise NltkNotImportable(lines[-1].removeprefix("nltk-driver: "))
    if result.returncode == 2:
        report.set("nltk_downloader", "failed")
        raise NltkIndexRefused(bool(index_url))
    if not result.ok:
        report.set("nltk_downloader", "failed")
        found = _FAILED_RE.findall(result.output)
        failed = found[-1].split(", ") if found else missing
        raise NltkDownloadFailed(failed, bool(index_url))
    report.set("nltk_downloader", "enabled")
    return runtime_env()
