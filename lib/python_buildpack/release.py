"""bin/release: YAML on stdout describing add-ons and default processes. Stdlib only."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if len(argv) < 1:
        sys.stderr.write("usage: bin/release BUILD_DIR\n")
        return 2
    sys.stdout.write("--- {}\n")
    return 0
