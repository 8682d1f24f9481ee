"""`make demo`: build and boot the sample Flask + gunicorn app with the buildpack.

The runtime comes from the local runtime mirror (built from this machine's pyenv CPythons);
packages come from the default package index. Prints the build log, then the HTTP response
of the app's Procfile web process.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.support import serve_directory
from tests.support.app_runner import run_build
from tests.support.mirror import ensure_mirror


def main() -> int:
    print("Preparing the local runtime mirror (first run: about half a minute)...", flush=True)
    mirror = ensure_mirror()
    cache_dir = Path(tempfile.mkdtemp(prefix="demo_cache_"))
    build_dirs: list[Path] = []
    try:
        with serve_directory(mirror) as url:
            for attempt in ("cold", "warm"):
                print(f"\n===== {attempt} build of tests/fixtures/pip_flask_gunicorn =====", flush=True)
                result = run_build("pip_flask_gunicorn", cache_dir=cache_dir, runtime_base_url=url, boot=True)
                build_dirs.append(result.build_dir)
                print(result.output, end="")
                if result.returncode != 0:
                    print(f"\nThe build failed (exit {result.returncode}).")
                    return 1
                print(f"\n===== GET / from the booted app ({attempt} build) =====")
                if result.http_status is None:
                    print(f"No answer: {result.http_error}\n{result.server_output}")
                    return 1
                print(f"HTTP {result.http_status}\n{result.http_body}", end="")
        return 0 if result.http_status == 200 else 1
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
        for build_dir in build_dirs:
            shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
