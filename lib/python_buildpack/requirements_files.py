"""Reading pip requirements files: which files they include, and whether they are static.

Included files (`-r`, `-c`) are part of the cache key, so editing any of them discards the
cached install. A file is *static* when every requirement is a plain name with optional
version specifiers: installing it again over an unchanged environment cannot change it.
Local paths, URLs and VCS references can change without the file changing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_INCLUDE = re.compile(r"^(?:-[rc]\s*=?\s*|--(?:requirement|constraint)(?:\s*=\s*|\s+))(\S+)$")
_ARCHIVE = re.compile(r"\.(whl|zip|tar(\.(gz|bz2|xz))?|tgz|tbz)$", re.IGNORECASE)
_NAMED = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"  # name
    r"(?:\s*\[[A-Za-z0-9._,\s-]*\])?"  # extras
    r"(?:\s*(?:===|==|!=|~=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+"  # first specifier
    r"(?:\s*,\s*(?:===|==|!=|~=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+)*)?"  # more specifiers
    r"(?:\s*;.*)?$"  # environment marker
)
# Options that don't refer to anything on disk or that can change by themselves.
_STATIC_OPTIONS = re.compile(
    r"^(--index-url|-i|--extra-index-url|--no-index|--prefer-binary|--only-binary|--no-binary"
    r"|--pre|--trusted-host|--require-hashes|--use-feature)\b"
)


@dataclass(frozen=True)
class RequirementsSet:
    files: tuple[Path, ...]  # the top file(s) and everything they include, in order
    static: bool


def logical_lines(path: Path) -> Iterator[str]:
    """Lines with comments removed and backslash continuations joined."""
    text = path.read_text(encoding="utf-8", errors="replace")
    pending = ""
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            yield line
    if pending.strip():
        yield pending.strip()


def _strip_hashes(line: str) -> str:
    return re.sub(r"\s--hash[=\s]\S+", "", line).strip()


def read(top_files: list[Path]) -> RequirementsSet:
    seen: list[Path] = []
    static = True
    queue = list(top_files)
    while queue:
        path = queue.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.append(path)
        for line in logical_lines(path):
            include = _INCLUDE.match(line)
            if include:
                if "://" in include.group(1):
                    static = False  # a remote file can change without this one changing
                else:
                    queue.append((path.parent / include.group(1)).resolve())
                continue
            requirement = _strip_hashes(line)
            if _ARCHIVE.search(requirement.split(";")[0].strip()):
                static = False  # a local archive file, which pip installs from disk
            elif not (_STATIC_OPTIONS.match(requirement) or _NAMED.match(requirement)):
                static = False
    return RequirementsSet(tuple(seen), static)
