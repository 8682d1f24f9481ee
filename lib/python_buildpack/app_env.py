"""Writing the app's environment: `export` for later buildpacks, `.profile.d/` for dynos,
and relocating editable installs from the build dir to where the app runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import environment
from .context import BuildContext
from .environment import EnvVar

_EDITABLE_PATTERNS = ("*.egg-link", "*.pth", "__editable___*_finder.py")


def _editable_files(site_packages: Path) -> list[Path]:
    return sorted(p for pattern in _EDITABLE_PATTERNS for p in site_packages.glob(pattern) if p.is_file())


def _replace_in_file(path: Path, old: str, new: str) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if old not in text:
        return False
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text.replace(old, new), encoding="utf-8")
    os.replace(tmp, path)
    return True


def relocate_editables(ctx: BuildContext, site_packages: Path) -> list[Path]:
    """Point editable installs inside the runtime at /app/.heroku/python (valid in the build,
    for later buildpacks and at runtime). Returns the files that still name the build dir:
    local-path editables, which are rewritten at dyno boot instead."""
    if ctx.builds_in_app_dir or not site_packages.is_dir():
        return []
    build_home = str(ctx.build_python_home)
    remaining = []
    for path in _editable_files(site_packages):
        _replace_in_file(path, build_home, str(ctx.python_home))
        try:
            if str(ctx.build_dir) in path.read_text(encoding="utf-8"):
                remaining.append(path)
        except (OSError, UnicodeDecodeError):
            continue
    return remaining


def _bash_single_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def profile_script(ctx: BuildContext, changes: list[EnvVar], editables: list[Path]) -> str:
    lines = [
        "# Written by the Python buildpack: the runtime environment of the app's dynos.",
        environment.render_profile(changes).rstrip("\n"),
        "",
        "# Apps built in a subdirectory run with HOME elsewhere: keep /app/.heroku/python valid.",
        'if [ "$HOME" != "/app" ] && [ ! -e /app/.heroku/python ]; then',
        '  mkdir -p /app/.heroku 2>/dev/null && ln -s "$HOME/.heroku/python" /app/.heroku/python 2>/dev/null',
        "fi",
    ]
    if editables:
        relative = [str(p.relative_to(ctx.build_dir)) for p in editables]
        lines += [
            "",
            "# Editable installs of local paths name the directory the app was built in.",
            f"_python_build_dir={_bash_single_quote(str(ctx.build_dir))}",
            "for _python_file in " + " ".join(_bash_single_quote(r) for r in relative) + "; do",
            '  _python_file="$HOME/$_python_file"',
            '  if [ -f "$_python_file" ] && grep -qF "$_python_build_dir" "$_python_file"; then',
            '    sed -i "s|$_python_build_dir|$HOME|g" "$_python_file"',
            "  fi",
            "done",
            "unset _python_build_dir _python_file",
        ]
    return "\n".join(lines) + "\n"


def write(
    ctx: BuildContext, changes: list[EnvVar], export_changes: list[EnvVar], editables: list[Path]
) -> None:
    """`changes` go to .profile.d/python.sh (dynos), `export_changes` to `export`."""
    profile_dir = ctx.build_dir / ".profile.d"
    profile_dir.mkdir(parents=True, exist_ok=True)
    (profile_dir / "python.sh").write_text(profile_script(ctx, changes, editables), encoding="utf-8")
    for script in sorted((ctx.buildpack_dir / "vendor" / "profile.d").glob("*.sh")):
        shutil.copyfile(script, profile_dir / script.name)
    export = ctx.buildpack_dir / "export"
    export.write_text(environment.render_export(export_changes), encoding="utf-8")


def link_app_python(ctx: BuildContext) -> None:
    """/app/.heroku/python -> BUILD_DIR/.heroku/python, so every path the runtime records
    (sys.prefix, script shebangs) is the one it will have at runtime. Left in place for
    later buildpacks."""
    if ctx.builds_in_app_dir:
        return
    link = ctx.python_home
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    link.symlink_to(ctx.build_python_home)
