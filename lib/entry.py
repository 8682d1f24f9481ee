"""Entry point for the bin/ shims, run as `python3 -I lib/entry.py COMMAND ARGS...`.

Isolated mode (-I) keeps the app's or an earlier buildpack's PYTHONPATH/PYTHONHOME out,
so the package directory and (when bootstrapped) the private dependency directory are
put on sys.path here.
"""

import os
import sys

# Exit 97 tells the shim to use the buildpack's own Python instead (lib/find_python.sh).
# This part must run on any python3, so it uses no newer syntax.
NEEDS_BOOTSTRAP = 97
if sys.version_info < (3, 10):  # noqa: UP036 - entry.py decides which Python to use
    sys.exit(NEEDS_BOOTSTRAP)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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

if len(sys.argv) > 1 and sys.argv[1] in ("compile", "test-compile"):
    try:
        import packaging.version  # noqa: F401

        if sys.version_info < (3, 11):
            import tomli  # noqa: F401
    except ImportError:
        sys.exit(NEEDS_BOOTSTRAP)

from python_buildpack.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
