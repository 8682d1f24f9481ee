"""Reading a build's output and slug in the integration tests."""

from __future__ import annotations

from pathlib import Path


def error_block(output: str) -> str:
    """The final ` !     Error:` block; asserts that it ends the output."""
    start = output.rfind(" !     Error: ")
    assert start != -1, output
    block = output[start:].rstrip("\n")
    assert all(line.startswith(" !") for line in block.rstrip().splitlines()), block
    return block


def slug_mentions(build_dir: Path, word: str) -> list[str]:
    """Files of the buildpack's making in the slug (not the app's own) that name a tool."""
    found = list((build_dir / ".heroku").rglob(f"*{word}*"))
    found += [p for p in (build_dir / ".profile.d").glob("*") if word in p.read_text().lower()]
    found += [p for p in build_dir.glob(".*") if word in p.name]
    found += list(build_dir.glob("__pypackages__"))
    return sorted(str(p.relative_to(build_dir)) for p in found)
