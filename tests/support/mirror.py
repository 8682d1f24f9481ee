"""A local Python runtime mirror built from this machine's pyenv CPythons.

The buildpack downloads `python-X.Y.Z-ubuntu-NN.04-<arch>.tar.zst` archives. Tests cannot reach
the real host, so we build archives of the same layout (install tree at the archive root) from
pyenv's installs, stripped down the way Heroku's builds are: no site-packages content, no test
suites, no console scripts that point back into pyenv, and no ELF RUNPATH, so an interpreter
started without LD_LIBRARY_PATH fails as it would on Heroku instead of finding pyenv's libpython.

Archives are cached under ~/.cache/python-buildpack-tests/runtime-mirror/ (or
$BUILDPACK_TEST_MIRROR_DIR) and rebuilt only when missing; a file lock keeps xdist workers from
building the same archive twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

UBUNTU_VERSIONS = ("24.04", "22.04", "26.04")
# 3.9 is the oldest version the buildpack still builds; older pyenv installs only serve EOL tests,
# which never download a runtime.
OLDEST_MIRRORED = (3, 9)
VERSION_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# Test suites shipped inside the stdlib, relative to lib/pythonX.Y/.
TEST_DIRS = (
    "test",
    "idlelib/idle_test",
    "tkinter/test",
    "lib2to3/tests",
    "unittest/test",
    "ctypes/test",
    "distutils/tests",
    "sqlite3/test",
)
# bin/ entries kept from a pyenv install: the interpreter, its -config script and gdb helper.
KEPT_BIN_RE = re.compile(r"^python(\d+(\.\d+)?)?(-config|-gdb\.py)?$")
# Bump when the archive contents change so cached mirrors are rebuilt.
MIRROR_FORMAT = "3"


def mirror_dir() -> Path:
    override = os.environ.get("BUILDPACK_TEST_MIRROR_DIR")
    if override:
        return Path(override)
    return Path.home() / ".cache" / "python-buildpack-tests" / "runtime-mirror"


def machine_arch() -> str:
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return "amd64"
    if machine in ("aarch64", "arm64"):
        return "arm64"
    raise RuntimeError(f"unsupported machine architecture: {machine}")


def archive_name(version: str, ubuntu: str = "24.04", arch: str | None = None) -> str:
    return f"python-{version}-ubuntu-{ubuntu}-{arch or machine_arch()}.tar.zst"


def pyenv_root() -> Path:
    override = os.environ.get("PYENV_ROOT")
    if override:
        return Path(override)
    try:
        out = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout
        return Path(out.strip())
    except (OSError, subprocess.CalledProcessError):
        return Path.home() / ".pyenv"


def pyenv_versions(oldest: tuple[int, int] = OLDEST_MIRRORED) -> dict[str, Path]:
    """Plain X.Y.Z CPython installs under pyenv, oldest first."""
    versions_dir = pyenv_root() / "versions"
    found: dict[str, Path] = {}
    if not versions_dir.is_dir():
        return found
    for entry in versions_dir.iterdir():
        match = VERSION_RE.match(entry.name)
        if not match or entry.is_symlink() or not (entry / "bin").is_dir():
            continue
        major, minor = int(match[1]), int(match[2])
        if (major, minor) < oldest:
            continue
        found[entry.name] = entry
    return dict(sorted(found.items(), key=lambda kv: tuple(int(p) for p in kv[0].split("."))))


def mirrored_versions() -> list[str]:
    return list(pyenv_versions())


def pyenv_python(version: str) -> Path:
    """The pyenv interpreter for a version (used e.g. as a system python3 without packaging)."""
    return pyenv_root() / "versions" / version / "bin" / "python3"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _copy_ignore(src_root: Path, minor_dir: str) -> Callable[[str, list[str]], set[str]]:
    """shutil.copytree ignore callback: skip site-packages content and stdlib test suites."""
    stdlib = src_root / "lib" / minor_dir
    skipped = {stdlib / rel for rel in TEST_DIRS}
    site_packages = stdlib / "site-packages"

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        if here == site_packages:
            return {n for n in names if n != "README.txt"}
        ignored = {n for n in names if here / n in skipped}
        # Heroku's archives carry bytecode for optimisation level 0 only; pyenv compiles all three.
        if here.name == "__pycache__":
            ignored |= {n for n in names if n.endswith((".opt-1.pyc", ".opt-2.pyc"))}
        # The static library is only for embedding; Heroku's archives don't ship it either.
        if here.name.startswith("config-"):
            ignored |= {n for n in names if n.startswith("libpython") and n.endswith(".a")}
        return ignored

    return ignore


def _is_linked_elf(path: Path) -> bool:
    """An ELF executable or shared object (object files like python.o have no dynamic section)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(18)
    except OSError:
        return False
    if len(header) < 18 or header[:4] != b"\x7fELF":
        return False
    e_type = int.from_bytes(header[16:18], "little" if header[5] == 1 else "big")
    return e_type in (2, 3)


def _prune_bin(bin_dir: Path) -> None:
    """Keep only CPython's own programs: pip, idle, pydoc, 2to3 and every console script that
    pyenv's pip installed (their shebangs point into pyenv) go."""
    for entry in list(bin_dir.iterdir()):
        if KEPT_BIN_RE.match(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    python = bin_dir / "python"
    if python.is_symlink() or python.exists():
        python.unlink()
    python.symlink_to("python3")


def _strip_rpaths(tree: Path) -> None:
    for path in tree.rglob("*"):
        if path.is_file() and not path.is_symlink() and _is_linked_elf(path):
            subprocess.run(["patchelf", "--remove-rpath", str(path)], check=True)


def _ensure_patchelf() -> None:
    if shutil.which("patchelf"):
        return
    subprocess.run(["apt-get", "install", "-y", "patchelf"], check=True, capture_output=True)


def prepare_tree(version: str, source: Path, dest: Path) -> None:
    """Copy a pyenv install to dest and strip it down to what a Heroku runtime archive holds."""
    major, minor, _ = version.split(".")
    minor_dir = f"python{major}.{minor}"
    shutil.copytree(source, dest, symlinks=True, ignore=_copy_ignore(source, minor_dir))
    site_packages = dest / "lib" / minor_dir / "site-packages"
    site_packages.mkdir(parents=True, exist_ok=True)
    _prune_bin(dest / "bin")
    _strip_rpaths(dest)


def build_archive(version: str, source: Path, target: Path) -> None:
    """Build one .tar.zst archive (written to a temp file, then renamed into place)."""
    _ensure_patchelf()
    with tempfile.TemporaryDirectory(prefix=f"mirror-{version}-", dir=target.parent) as tmp:
        tree = Path(tmp) / "tree"
        prepare_tree(version, source, tree)
        partial = Path(tmp) / target.name
        entries = sorted(p.name for p in tree.iterdir())
        tar = subprocess.Popen(
            ["tar", "-C", str(tree), "--numeric-owner", "--owner=0", "--group=0", "-cf", "-", *entries],
            stdout=subprocess.PIPE,
        )
        assert tar.stdout is not None
        subprocess.run(["zstd", "-q", "-T0", "-3", "-o", str(partial)], stdin=tar.stdout, check=True)
        tar.stdout.close()
        if tar.wait() != 0:
            raise RuntimeError(f"tar failed for {version}")
        os.replace(partial, target)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _link_or_copy(src: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    if tmp.exists():
        tmp.unlink()
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copy2(src, tmp)
    os.replace(tmp, dest)


def _discard_outdated(root: Path) -> None:
    marker = root / "format"
    if marker.exists() and marker.read_text().strip() == MIRROR_FORMAT:
        return
    for path in root.glob("python-*"):
        path.unlink()
    _write_atomic(marker, MIRROR_FORMAT + "\n")


def ensure_mirror(directory: Path | None = None) -> Path:
    """Build any missing archives, checksums and index.txt; return the mirror directory."""
    root = directory or mirror_dir()
    root.mkdir(parents=True, exist_ok=True)
    arch = machine_arch()
    with file_lock(root / ".lock"):
        _discard_outdated(root)
        names: list[str] = []
        for version, source in pyenv_versions().items():
            primary = root / archive_name(version, UBUNTU_VERSIONS[0], arch)
            if not primary.exists():
                build_archive(version, source, primary)
            checksum = primary.with_name(primary.name + ".sha256")
            if not checksum.exists():
                _write_atomic(checksum, f"{_sha256(primary)}  {primary.name}\n")
            digest = checksum.read_text().split()[0]
            for ubuntu in UBUNTU_VERSIONS:
                name = archive_name(version, ubuntu, arch)
                names.append(name)
                if ubuntu == UBUNTU_VERSIONS[0]:
                    continue
                other = root / name
                if not other.exists() or not os.path.samefile(other, primary):
                    _link_or_copy(primary, other)
                other_sum = root / (name + ".sha256")
                if not other_sum.exists():
                    _write_atomic(other_sum, f"{digest}  {name}\n")
        index = "".join(f"{n}\n" for n in names)
        index_path = root / "index.txt"
        if not index_path.exists() or index_path.read_text() != index:
            _write_atomic(index_path, index)
    return root
