"""The buildpack's own compiled modules, kept in the build cache between builds.

Each build runs from a fresh checkout of the buildpack, without __pycache__, so Python would
compile every module of the buildpack again (a fifth of a rebuild's own time) and write .pyc
files that nobody reads again. This loader keeps the compiled code in CACHE_DIR instead,
checked against a hash of each module's source, as hash-based .pyc files are (PEP 552): a
buildpack update recompiles just the modules that changed. Anything unexpected (an
unreadable or foreign file, a full disk) falls back to compiling the source.

Imported by entry.py before the buildpack's package, so it uses the standard library only
and must run on any python3 the shims accept.
"""

import importlib.machinery
import importlib.util
import marshal
import os
import sys

try:
    from _imp import _fix_co_filename
except ImportError:  # pragma: no cover - CPython has it
    _fix_co_filename = None

_CHECKED_HASH = (0b11).to_bytes(4, "little")  # PEP 552 flags: hash-based, checked


class CachingLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname, path, cache_dir):
        super().__init__(fullname, path)
        self.cache_dir = cache_dir

    def get_code(self, fullname):
        source = self.get_data(self.path)
        header = importlib.util.MAGIC_NUMBER + _CHECKED_HASH + importlib.util.source_hash(source)
        cached = os.path.join(self.cache_dir, f"{fullname}.{sys.implementation.cache_tag}.pyc")
        try:
            with open(cached, "rb") as handle:
                data = handle.read()
            if data[:16] == header:
                code = marshal.loads(memoryview(data)[16:])
                if _fix_co_filename is not None:
                    # Compiled in an earlier checkout: tracebacks must name this one.
                    _fix_co_filename(code, self.path)
                return code
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = self.source_to_code(source, self.path)
        try:
            os.makedirs(self.cache_dir, exist_ok=True)
            partial = f"{cached}.{os.getpid()}.partial"
            with open(partial, "wb") as handle:
                handle.write(header + marshal.dumps(code))
            os.replace(partial, cached)
        except OSError:
            pass
        return code


def install(package_dir, cache_dir):
    """Load the modules under `package_dir` (and its parent's top level) through the cache."""
    package_dir = os.path.abspath(package_dir)
    parent = os.path.dirname(package_dir)
    file_finder = importlib.machinery.FileFinder.path_hook(
        (lambda fullname, path: CachingLoader(fullname, path, cache_dir), [".py"])
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
