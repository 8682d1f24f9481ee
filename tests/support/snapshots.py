"""Snapshot tests for user-facing text: a changed message shows up as a reviewed diff.

`assert_snapshot("name", text)` compares `text` with tests/snapshots/name.txt after redacting
things that differ between runs (temp paths, durations). With UPDATE_SNAPSHOTS=1 the file is
(re)written instead and the test passes; a missing snapshot fails with a hint to do that.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "snapshots"

_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
# pytest's tmp_path (/tmp/pytest-of-root/pytest-12/test_x0/...) and other temp dirs.
_TMP_ROOTS = "|".join(sorted({re.escape(tempfile.gettempdir()), "/tmp"}, key=len, reverse=True))
_TMP_RE = re.compile(
    rf"(?:{_TMP_ROOTS})/(?:pytest-of-[^/\s]+/pytest-\d+/[^/\s]+|tmp[A-Za-z0-9_]+|build_[A-Za-z0-9]+)"
)
# "(1.2s)", "in 0.53 seconds" and the like.
_DURATION_RE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:s|ms|seconds)\b")


def redact(text: str, replacements: Mapping[str, str] | None = None) -> str:
    """Replace run-specific values: explicit ones first (longest first), then temp paths, durations."""
    for old, new in sorted((replacements or {}).items(), key=lambda kv: len(kv[0]), reverse=True):
        text = text.replace(old, new)
    text = _TMP_RE.sub("<tmp>", text)
    return _DURATION_RE.sub("<duration>", text)


def assert_snapshot(name: str, text: str, *, replacements: Mapping[str, str] | None = None) -> None:
    """Compare `text` (redacted) with tests/snapshots/<name>.txt; UPDATE_SNAPSHOTS=1 rewrites it."""
    if not _NAME_RE.fullmatch(name):
        raise ValueError(f"snapshot name must be a plain file name: {name!r}")
    path = SNAPSHOT_DIR / f"{name}.txt"
    actual = redact(text, replacements).rstrip("\n") + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
        # Write-then-rename so parallel workers never see a half-written file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(actual, encoding="utf-8")
        os.replace(tmp, path)
        return
    if not path.exists():
        raise AssertionError(
            f"snapshot {path} is missing; run the tests with UPDATE_SNAPSHOTS=1 to create it"
        )
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{path} (expected)",
                tofile="actual",
            )
        )
        raise AssertionError(f"snapshot {name} differs (UPDATE_SNAPSHOTS=1 accepts the change):\n{diff}")
