"""The buildpack's own compiled modules, kept in the build cache between builds.

Each build runs from a fresh checkout of the buildpack, without __pycache__, so Python would
compile every module of the buildpack again (a fifth of a rebuild's own time) and write .pyc
files that nobody reads again. This loader keeps the compiled code in one file in CACHE_DIR
instead, each module's code checked against a hash of its source, as hash-based .pyc files
are (PEP 552): a buildpack update recompiles just the modules that changed. One file, read
once and written at exit when something was compiled, because creating files is what costs
on a build's file system. Anything unexpected (an unreadable or foreign file, a full disk)
falls back to compiling the source.

Imported by entry.py before the buildpack's package, so it uses the standard library only
and must run on any python3 the shims accept.
"""

import atexit
import importlib.machinery
import importlib.util
import marshal
import os
import sys

try:
    from _imp import _fix_co_filename
except ImportError:  # pragma: no cover - CPython has it
    _fix_co_filename = None

# What a store file starts with: this interpreter's bytecode magic and a format number.
_HEADER = importlib.util.MAGIC_NUMBER + b"bpc1"


class Store:
    """Module name -> (source hash, marshalled code), loaded on first use, saved at exit."""

    def __init__(self, path):
        self.path = path
        self._entries = None
        self._changed = False

    def _load(self):
        if self._entries is None:
            self._entries = {}
            try:
                with open(self.path, "rb") as handle:
                    data = handle.read()
                if data.startswith(_HEADER):
                    entries = marshal.loads(memoryview(data)[len(_HEADER) :])
                    if isinstance(entries, dict):
                        self._entries = entries
            except (OSError, ValueError, EOFError, TypeError):
                pass
        return self._entries

    def get(self, name, source_hash):
        entry = self._load().get(name)
        if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == source_hash):
            return None
        try:
            return marshal.loads(entry[1])
        except (ValueError, EOFError, TypeError):
            return None

    def put(self, name, source_hash, code):
        self._load()[name] = (source_hash, marshal.dumps(code))
        self._changed = True

    def save(self):
        if not self._changed:
            return
        partial = f"{self.path}.{os.getpid()}.partial"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(partial, "wb") as handle:
                handle.write(_HEADER + marshal.dumps(self._entries))
            os.replace(partial, self.path)
            self._changed = False
        except OSError:
            try:
                os.unlink(partial)
            except OSError:
                pass


class CachingLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname, path, store):
        super().__init__(fullname, path)
        self.store = store

    def get_code(self, fullname):
        source = self.get_data(self.path)
        source_hash = importlib.util.source_hash(source)
        code = self.store.get(fullname, source_hash)
        if code is not None:
            if _fix_co_filename is not None:
                # Compiled in an earlier checkout: tracebacks must name this one.
                _fix_co_filename(code, self.path)
            return code
        code = self.source_to_code(source, self.path)
        self.store.put(fullname, source_hash, code)
        return code


def install(package_dir, cache_dir):
    """Load the modules under `package_dir` (and its parent's top level) through the cache."""
    package_dir = os.path.abspath(package_dir)
    parent = os.path.dirname(package_dir)
    store = Store(os.path.join(cache_dir, f"modules.{sys.implementation.cache_tag}.marshal"))
    atexit.register(store.save)
    file_finder = importlib.machinery.FileFinder.path_hook(
        (lambda fullname, path: CachingLoader(fullname, path, store), [".py"])
    )

    def hook(path):
        full = os.path.abspath(path or ".")
        if full not in (parent, package_dir) and not full.startswith(package_dir + os.sep):
            raise ImportError("not the buildpack's package")
        return file_finder(path)

    sys.path_hooks.insert(0, hook)
    for path in list(sys.path_importer_cache):
        if os.path.abspath(path or ".") in (parent, package_dir):
            del sys.path_importer_cache[path]
    return store
