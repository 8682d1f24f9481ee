"""bin/release: YAML on stdout describing add-ons and default processes. Stdlib only.

bin/release runs on the build image's python3, which may lack `packaging`, and it must not
import the app's packages: what is installed is read from the `*.dist-info` directories in
BUILD_DIR/.heroku/python (django.distribution_installed). A default `web` process is declared
only when it is known to work (gunicorn installed, a root manage.py whose settings module sits
in a package with a wsgi.py that defines `application`) and the Procfile has no `web` entry.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .django import distribution_installed, django_installed

# Distributions that provide `psycopg2` or `psycopg` (psycopg[binary] adds psycopg-binary).
POSTGRES_DRIVERS = frozenset({"psycopg2", "psycopg2-binary", "psycopg", "psycopg-binary", "psycopg-c"})

_SETTINGS_RE = re.compile(
    r"""os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([^"']+)["']\s*\)"""
)
_MODULE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_APPLICATION_RE = re.compile(r"^application\s*(:[^=]*)?=", re.MULTILINE)
_PROCFILE_RE = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Release:
    addons: tuple[str, ...] = ()
    default_process_types: Mapping[str, str] | None = None


def procfile_processes(build_dir: Path) -> dict[str, str]:
    try:
        text = (build_dir / "Procfile").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    processes: dict[str, str] = {}
    for line in text.splitlines():
        match = _PROCFILE_RE.match(line.strip())
        if match:
            processes[match.group(1)] = match.group(2).strip()
    return processes


def settings_module(manage_py: Path) -> str | None:
    """The DJANGO_SETTINGS_MODULE default that manage.py sets, if it is a plain module path."""
    try:
        text = manage_py.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = _SETTINGS_RE.search(text)
    if not match or not _MODULE_RE.fullmatch(match.group(1)):
        return None
    return match.group(1)


def wsgi_module(build_dir: Path, settings: str) -> str | None:
    """The WSGI module beside the settings: `a.b.settings` looks in a/b/ then a/."""
    parts = settings.split(".")[:-1]
    while parts:
        wsgi = build_dir.joinpath(*parts, "wsgi.py")
        try:
            if wsgi.is_file() and _APPLICATION_RE.search(wsgi.read_text(encoding="utf-8", errors="replace")):
                return ".".join([*parts, "wsgi"])
        except OSError:
            return None
        parts.pop()
    return None


def django_web_command(build_dir: Path) -> str | None:
    home = build_dir / ".heroku" / "python"
    if not (distribution_installed(home, "gunicorn") and django_installed(home)):
        return None
    manage_py = build_dir / "manage.py"
    if not manage_py.is_file():
        return None
    settings = settings_module(manage_py)
    if settings is None:
        return None
    module = wsgi_module(build_dir, settings)
    return f"gunicorn {module}" if module else None


def release_for(build_dir: Path) -> Release:
    home = build_dir / ".heroku" / "python"
    is_django = (build_dir / "manage.py").is_file() and django_installed(home)
    uses_postgres = is_django and any(distribution_installed(home, name) for name in POSTGRES_DRIVERS)
    addons = ("heroku-postgresql",) if uses_postgres else ()
    processes = None
    if "web" not in procfile_processes(build_dir):
        command = django_web_command(build_dir)
        if command:
            processes = {"web": command}
    return Release(addons=addons, default_process_types=processes)


def _quote(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=True)


def render(release: Release) -> str:
    lines = ["---"]
    if release.addons:
        lines.append("addons:")
        lines += [f"  - {_quote(addon)}" for addon in release.addons]
    if release.default_process_types:
        lines.append("default_process_types:")
        lines += [f"  {_quote(k)}: {_quote(v)}" for k, v in release.default_process_types.items()]
    if len(lines) == 1:
        return "--- {}\n"
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) < 1:
        sys.stderr.write("usage: bin/release BUILD_DIR\n")
        return 2
    sys.stdout.write(render(release_for(Path(argv[0]))))
    return 0
