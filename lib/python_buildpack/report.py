"""The build report: this build's facts, kept in CACHE_DIR and printed by bin/report.

The record is written as the build goes (atomically), so a failed build still has a report
with its failure reason. Stdlib only: bin/report must work whatever state the build left.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

Value = str | int | float | bool

_MAX_LEN = 200


def data_file(cache_dir: Path) -> Path:
    return cache_dir / "build-data" / "python.json"


@dataclass
class BuildReport:
    """Facts about one build. Owned by the compile run and passed along as a value."""

    path: Path
    data: dict[str, Value] = field(default_factory=dict)

    @classmethod
    def start(cls, cache_dir: Path) -> BuildReport:
        report = cls(data_file(cache_dir))
        previous = report.path
        if previous.is_file():
            # Keep the last build's facts beside the new ones for comparison.
            try:
                os.replace(previous, previous.with_name("python-prev.json"))
            except OSError:
                pass
        return report

    def set(self, key: str, value: Value) -> None:
        if isinstance(value, str) and len(value) > _MAX_LEN:
            value = value[:_MAX_LEN]
        self.data[key] = value

    def duration(self, key: str, started: float) -> None:
        self.data[key] = round(time.monotonic() - started, 3)

    def save(self) -> None:
        """Write atomically. A hook may have deleted the cache dir: recreate it, don't crash."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".python.json.")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.data, handle, sort_keys=True, indent=2)
                handle.write("\n")
            os.replace(tmp, self.path)
        except OSError:
            pass


def print_report(cache_dir: Path) -> int:
    """bin/report: the build data as JSON, keys sorted. Missing or corrupt data prints {}."""
    try:
        data = json.loads(data_file(cache_dir).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    sys.stdout.write(json.dumps(data, sort_keys=True, indent=2) + "\n")
    return 0
