"""Taking the app's dependencies back out of a cached runtime.

When only the app's dependencies changed, the next build starts from the cached runtime and
package manager instead of downloading Python and installing the tool again. For that, each
build records its `Baseline` right after the package manager is installed: the top-level
names in the Python home, in its bin/ and in site-packages. Resetting removes every entry
that is not in the baseline, plus the files that the removed distributions' RECORD files
list elsewhere in the Python home (C headers, data files), so nothing of an old dependency
is left behind. This costs a few hundred file removals, where keeping a second copy of the
runtime to start from would cost thousands of links on every build.

When part of the baseline is gone (a requirement replaced pip or setuptools with another
version), the runtime can't be trusted to be what the package manager left, and is not
reused.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache_copy import remove_trees


@dataclass(frozen=True)
class Baseline:
    home: frozenset[str]
    bin: frozenset[str]
    site_packages: frozenset[str]

    def to_json(self) -> dict[str, list[str]]:
        return {
            "home": sorted(self.home),
            "bin": sorted(self.bin),
            "site_packages": sorted(self.site_packages),
        }

    @classmethod
    def from_json(cls, raw: Any) -> Baseline | None:
        try:
            return cls(
                home=frozenset(str(n) for n in raw["home"]),
                bin=frozenset(str(n) for n in raw["bin"]),
                site_packages=frozenset(str(n) for n in raw["site_packages"]),
            )
        except (KeyError, TypeError):
            return None


def _names(directory: Path) -> frozenset[str]:
    try:
        return frozenset(os.listdir(directory))
    except FileNotFoundError:
        return frozenset()


def take(home: Path, site_packages: Path) -> Baseline:
    return Baseline(_names(home), _names(home / "bin"), _names(site_packages))


def reset(home: Path, site_packages: Path, baseline: Baseline) -> str | None:
    """Remove everything the baseline doesn't have. Returns why it can't, changing nothing then."""
    places = ((home, baseline.home), (home / "bin", baseline.bin), (site_packages, baseline.site_packages))
    extras: list[Path] = []
    for directory, wanted in places:
        present = _names(directory)
        missing = sorted(wanted - present)
        if missing:
            where = os.path.relpath(directory / missing[0], home.parent)
            return f"{where} is no longer there (the app's requirements replaced it)"
        extras += [directory / name for name in sorted(present - wanted)]

    elsewhere = _recorded_elsewhere(home, site_packages, [p for p in extras if p.name.endswith(".dist-info")])
    remove_trees(*extras, *elsewhere)
    _prune_empty_parents(elsewhere, home)
    return None


def _recorded_elsewhere(home: Path, site_packages: Path, dist_infos: Iterable[Path]) -> list[Path]:
    """Files of these distributions in the Python home outside site-packages and bin/."""
    inside = os.path.join(str(home), "")
    skipped = (os.path.join(str(site_packages), ""), os.path.join(str(home / "bin"), ""))
    found: list[Path] = []
    for dist_info in dist_infos:
        try:
            with open(dist_info / "RECORD", encoding="utf-8", newline="") as record:
                rows = list(csv.reader(record))
        except (OSError, UnicodeDecodeError, csv.Error):
            continue  # nothing to go on beyond what the listings already catch
        for row in rows:
            if not row or not row[0]:
                continue
            path = os.path.normpath(os.path.join(site_packages, row[0]))
            if path.startswith(inside) and not path.startswith(skipped):
                found.append(Path(path))
    return found


def _prune_empty_parents(files: Iterable[Path], home: Path) -> None:
    for deepest in sorted({f.parent for f in files}, key=lambda p: len(p.parts), reverse=True):
        directory = deepest
        while directory != home and home in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                break  # not empty (or already gone): its parents aren't empty either
            directory = directory.parent
