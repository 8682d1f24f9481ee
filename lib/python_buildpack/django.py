"""Django: detection helpers (also used by bin/release and bin/test) and collectstatic.

Detection looks at files only (stdlib, no interpreter start): a distribution is installed
when the runtime's site-packages holds its .dist-info/.egg-info; the project's manage.py is
the shallowest one, root first, then up to three directories down.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from . import output
from .context import BuildContext
from .errors import BuildError
from .errors.django import (
    CollectstaticFailed,
    CollectstaticImproperlyConfigured,
    CollectstaticMissingFile,
    CollectstaticSyntaxError,
)
from .process import run_streamed
from .report import BuildReport

MANAGE_PY_MAX_DEPTH = 3  # directories below the root
# Never the app's project: the runtime, tool dirs, VCS metadata, front-end dependencies.
_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages", "venv"}
_UNKNOWN_COMMAND = "Unknown command: 'collectstatic'"
# Variables whose values may be shown when debugging (set by the build, never secrets);
# config vars are always hidden whatever their name.
_SHOWN_VALUES = {
    "PATH",
    "PYTHONPATH",
    "PYTHONUNBUFFERED",
    "LANG",
    "HOME",
    "STACK",
    "BUILD_DIR",
    "CACHE_DIR",
    "ENV_DIR",
    "C_INCLUDE_PATH",
    "CPLUS_INCLUDE_PATH",
    "LIBRARY_PATH",
    "LD_LIBRARY_PATH",
    "PKG_CONFIG_PATH",
    "NLTK_DATA",
}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def site_packages_dirs(python_home: Path) -> list[Path]:
    """site-packages of every Python under the runtime (normally exactly one)."""
    return sorted(p for p in (python_home / "lib").glob("python3*/site-packages") if p.is_dir())


def distribution_installed(python_home: Path, project: str) -> bool:
    """Whether `project` (e.g. "django", "nltk", "psycopg2-binary") is installed in the runtime
    at `python_home` (pass ctx.build_python_home during the build)."""
    wanted = _normalize(project)
    for site in site_packages_dirs(python_home):
        for meta in site.glob("*.*-info"):
            if meta.suffix not in (".dist-info", ".egg-info"):
                continue
            name = meta.name[: -len(meta.suffix)].split("-")[0]
            if _normalize(name) == wanted:
                return True
    return False


def django_installed(python_home: Path) -> bool:
    return distribution_installed(python_home, "django")


def _walk(directory: Path, depth: int) -> Iterator[tuple[int, Path]]:
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if entry.name == "manage.py" and entry.is_file():
            yield depth, entry
    if depth >= MANAGE_PY_MAX_DEPTH:
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
            continue
        if entry.is_dir() and not entry.is_symlink():
            yield from _walk(entry, depth + 1)


def find_manage_py(build_dir: Path) -> Path | None:
    """The shallowest manage.py (ties: alphabetical path), relative to `build_dir`."""
    found = sorted(_walk(build_dir, 0), key=lambda item: (item[0], str(item[1])))
    return found[0][1].relative_to(build_dir) if found else None


def collectstatic_disabled(ctx: BuildContext) -> bool:
    """DISABLE_COLLECTSTATIC with any value but 0 (process env or config var)."""
    value = ctx.setting("DISABLE_COLLECTSTATIC")
    return value is not None and value.strip() != "0"


def collectstatic(ctx: BuildContext, report: BuildReport, env: Mapping[str, str]) -> str:
    """Run `manage.py collectstatic --noinput` when it applies; returns the status recorded in
    the report. `env` is the hook environment (hooks.hook_env)."""
    status = _run(ctx, report, env)
    if status:
        report.set("django_collectstatic", status)
    return status


def _run(ctx: BuildContext, report: BuildReport, env: Mapping[str, str]) -> str:
    if collectstatic_disabled(ctx):
        output.step("Skipping Django collectstatic: DISABLE_COLLECTSTATIC is set")
        return "disabled-env-var"
    if not django_installed(ctx.build_python_home):
        return ""
    manage_py = find_manage_py(ctx.build_dir)
    if manage_py is None:
        output.step("Skipping Django collectstatic: Django is installed but no manage.py was found")
        return "skipped-no-manage-py"

    command = f"python {manage_py} collectstatic --noinput"
    output.step(f"Running '{command}'")
    run_env = dict(env)
    run_env.setdefault("PYTHONPATH", ".")
    python = ctx.python_home / "bin" / "python"
    started = time.monotonic()
    result = run_streamed([python, manage_py, "collectstatic", "--noinput"], env=run_env, cwd=ctx.build_dir)
    report.duration("django_collectstatic_duration", started)
    if result.ok:
        return "enabled"
    if _UNKNOWN_COMMAND in result.output:
        output.notice(
            "Django collectstatic was skipped",
            "The project does not include django.contrib.staticfiles in INSTALLED_APPS, so\n"
            "it has no collectstatic command. Add the app to INSTALLED_APPS if the project\n"
            "should serve static files; otherwise nothing needs to be done.",
        )
        return "skipped-no-staticfiles"
    report.set("django_collectstatic", "failed")
    debug = ctx.setting("DEBUG_COLLECTSTATIC") == "1"
    if debug:
        show_environment(run_env, ctx.config_vars)
    raise classify_failure(command, result.returncode, result.output, debug=debug)


def classify_failure(command: str, returncode: int, log: str, *, debug: bool = False) -> BuildError:
    """The error for a failed collectstatic, from the kind of failure its output shows."""
    if "SyntaxError" in log:
        return CollectstaticSyntaxError(command, debug=debug)
    if "ImproperlyConfigured" in log:
        return CollectstaticImproperlyConfigured(command, debug=debug)
    if re.search(r"FileNotFoundError|No such file or directory|could not be found", log):
        return CollectstaticMissingFile(command, debug=debug)
    return CollectstaticFailed(command, returncode, debug=debug)


def environment_listing(env: Mapping[str, str], config_vars: Mapping[str, str]) -> str:
    """Names of every variable, with values only for the build's own non-secret ones."""
    lines = []
    for name in sorted(env):
        # A denied config var (PATH, LD_*...) did not reach the command: its value is the build's.
        if name in config_vars and config_vars[name] == env[name]:
            lines.append(f"{name}=<config var, value hidden>")
        elif name in _SHOWN_VALUES:
            lines.append(f"{name}={env[name]}")
        else:
            lines.append(f"{name}=<value hidden>")
    return "\n".join(lines)


def show_environment(env: Mapping[str, str], config_vars: Mapping[str, str]) -> None:
    output.step("Environment collectstatic ran with (DEBUG_COLLECTSTATIC=1):")
    output.info(environment_listing(env, config_vars))
