"""Entry point for the bin/ shims, run as `python3 -I -S lib/entry.py COMMAND ARGS...`.

Isolated mode (-I) keeps the app's or an earlier buildpack's PYTHONPATH/PYTHONHOME out,
so the package directory and (when bootstrapped) the private dependency directory are
put on sys.path here. -S skips site.py's start-up work: the build image's site-packages
dirs are added plainly, without running their .pth files (hooks that other tools install
there cost start-up time and are no business of the buildpack's), unless the buildpack's
dependencies can only be imported with them.
"""

import os
import site
import sys

# Exit 97 tells the shim to use the buildpack's own Python instead (lib/find_python.sh).
# This part must run on any python3, so it uses no newer syntax.
NEEDS_BOOTSTRAP = 97
if sys.version_info < (3, 10):  # noqa: UP036 - entry.py decides which Python to use
    sys.exit(NEEDS_BOOTSTRAP)

_lib = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _lib)
_deps = os.environ.pop("_BUILDPACK_DEPS", "")
if _deps:
    sys.path.insert(1, _deps)
_orig = os.environ.pop("_BUILDPACK_ORIG_LD_LIBRARY_PATH", None)
if _orig is not None:
    # The bootstrap runtime needed its lib dir; the processes we start must not inherit it.
    if _orig == "__unset__":
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = _orig

_site_dirs = [d for d in site.getsitepackages() if os.path.isdir(d)] if sys.flags.no_site else []
sys.path.extend(_site_dirs)


def _check_dependencies():
    # Found, not imported: most builds never need packaging (imported where it is used).
    import importlib.util

    for name in (
        "packaging.version",
        "packaging.specifiers",
        "tomli" if sys.version_info < (3, 11) else None,
    ):
        if name and importlib.util.find_spec(name) is None:
            raise ImportError(name)


if len(sys.argv) > 1 and sys.argv[1] in ("compile", "test-compile"):
    try:
        try:
            _check_dependencies()
        except ImportError:
            # Installed in a way that needs its .pth file: do site.py's full work after all.
            for _dir in _site_dirs:
                site.addsitedir(_dir)
            _check_dependencies()
    except ImportError:
        sys.exit(NEEDS_BOOTSTRAP)
    if len(sys.argv) > 3 and sys.argv[3]:
        import bytecode_cache

        # bin/compile BUILD_DIR CACHE_DIR ENV_DIR: the compiled modules live in the cache.
        bytecode_cache.install(
            os.path.join(_lib, "python_buildpack"), os.path.join(sys.argv[3], ".heroku", "buildpack-bytecode")
        )

_early_copy = None
if len(sys.argv) == 5 and sys.argv[1] in ("compile", "test-compile"):
    # The cache's copy of the runtime is the slowest part of a rebuild: it starts before
    # the rest of the buildpack is even imported (python_buildpack/cache_copy.py).
    from python_buildpack import cache_copy

    _early_copy = cache_copy.start_early(sys.argv[2], sys.argv[3])

from python_buildpack.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:], early_copy=_early_copy))
