"""Entry point for the bin/ shims, run as `python3 -I lib/entry.py COMMAND ARGS...`.

Isolated mode (-I) keeps the app's or an earlier buildpack's PYTHONPATH/PYTHONHOME out,
so the package directory and (when bootstrapped) the private dependency directory are
put on sys.path here.
"""

from __future__ import annotations

import os
import sys

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

from python_buildpack.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
