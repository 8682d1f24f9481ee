"""bytecode_cache: the buildpack's compiled modules, reused from the build cache.

Each case runs in a fresh interpreter: the loader changes how the process imports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LIB = Path(__file__).resolve().parents[2] / "lib"

SCRIPT = """
import sys
sys.path.insert(0, {lib!r})
sys.path.insert(0, {root!r})
import bytecode_cache
bytecode_cache.install({package!r}, {cache!r})
import demo.mod
print(demo.mod.VALUE, type(demo.mod.__loader__).__name__, demo.mod.__file__)
if {fail}:
    demo.mod.fail()
"""


def _package(root: Path, value: str) -> Path:
    package = root / "demo"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text(f"VALUE = {value!r}\n\n\ndef fail():\n    raise RuntimeError('boom')\n")
    return package


def _run(root: Path, cache: Path, *, fail: bool = False) -> subprocess.CompletedProcess[str]:
    script = SCRIPT.format(
        lib=str(LIB), root=str(root), package=str(root / "demo"), cache=str(cache), fail=fail
    )
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, check=False
    )


def _cached(cache: Path) -> Path:
    return cache / f"modules.{sys.implementation.cache_tag}.marshal"


def test_compiles_once_then_loads_from_the_cache(tmp_path: Path) -> None:
    root, cache = tmp_path / "checkout", tmp_path / "cache"
    _package(root, "one")
    first = _run(root, cache)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split()[:2] == ["one", "CachingLoader"]
    written = _cached(cache).stat().st_mtime_ns

    second = _run(root, cache)
    assert second.stdout.split()[0] == "one"
    assert _cached(cache).stat().st_mtime_ns == written  # read, not written again
    # Nothing is written into the checkout itself.
    assert not list(root.rglob("__pycache__"))


def test_a_changed_source_is_compiled_again(tmp_path: Path) -> None:
    root, cache = tmp_path / "checkout", tmp_path / "cache"
    _package(root, "one")
    _run(root, cache)
    _package(root, "two")
    os.utime(root / "demo" / "mod.py", (0, 0))  # an old mtime must not fool it: the hash decides
    result = _run(root, cache)
    assert result.stdout.split()[0] == "two"
    assert _run(root, cache).stdout.split()[0] == "two"


def test_a_damaged_cache_file_is_replaced(tmp_path: Path) -> None:
    root, cache = tmp_path / "checkout", tmp_path / "cache"
    _package(root, "one")
    _run(root, cache)
    data = _cached(cache).read_bytes()
    _cached(cache).write_bytes(data[:30])  # truncated
    assert _run(root, cache).stdout.split()[0] == "one"
    assert _cached(cache).read_bytes() == data
    _cached(cache).write_bytes(b"something else entirely")
    assert _run(root, cache).stdout.split()[0] == "one"
    assert _cached(cache).read_bytes() == data


def test_unwritable_cache_still_imports(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    _package(root, "one")
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = _run(root, blocker / "cache")  # a path under a file: makedirs fails
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "one"


def test_tracebacks_name_the_current_checkout(tmp_path: Path) -> None:
    old, cache = tmp_path / "old-checkout", tmp_path / "cache"
    _package(old, "one")
    _run(old, cache)
    new = tmp_path / "new-checkout"
    shutil.move(old, new)  # the next build's fresh checkout is elsewhere

    result = _run(new, cache, fail=True)
    assert result.returncode == 1
    assert str(new / "demo" / "mod.py") in result.stdout
    assert f'File "{new / "demo" / "mod.py"}", line 5, in fail' in result.stderr
    assert "raise RuntimeError('boom')" in result.stderr  # the source line is found
    assert str(old) not in result.stderr


def test_other_directories_are_left_to_the_normal_import_system(tmp_path: Path) -> None:
    root, cache = tmp_path / "checkout", tmp_path / "cache"
    _package(root, "one")
    (root / "other.py").write_text("X = 1\n")
    script = (
        f"import sys; sys.path.insert(0, {str(LIB)!r}); sys.path.insert(0, {str(root)!r});"
        f"import bytecode_cache; bytecode_cache.install({str(root / 'demo')!r}, {str(cache)!r});"
        "import json, other; print(type(json.__loader__).__name__, type(other.__loader__).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, check=True
    )
    # The checkout's top level goes through the hook (that is where the package is found),
    # the standard library does not.
    assert result.stdout.split() == ["SourceFileLoader", "CachingLoader"]
