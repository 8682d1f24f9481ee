"""bin/compile: the build, top to bottom like a recipe.

First analyse everything (stack, checks, package manager, requested and resolved Python
version, cache decision) so a user mistake fails in milliseconds, before any download; then
act (restore, install runtime, tool, dependencies, write env, save the cache).
"""

from __future__ import annotations

import time
from pathlib import Path

from . import (
    app_env,
    cache,
    cache_copy,
    checks,
    config_vars,
    dependency_reset,
    environment,
    output,
    python_version,
    runtime,
)
from .context import BuildContext, make_context
from .django import collectstatic
from .errors import BuildError
from .hooks import base_env, hook_env, run_hook
from .nltk import download_corpora
from .package_managers import InstallContext
from .package_managers.select import select
from .report import BuildReport


def compile_app(
    build_dir: str,
    cache_dir: str,
    env_dir: str,
    *,
    test: bool = False,
    early_copy: cache_copy.BackgroundCopy | None = None,
) -> int:
    started = time.monotonic()
    copy = cache_copy.Pending(early_copy)
    environ = None
    if test:
        import os

        # Heroku CI: test dependencies, no collectstatic, and a UTF-8 locale that exists on
        # every image (some tools, e.g. Pipenv, need one).
        environ = {
            **os.environ,
            "INSTALL_TEST": "1",
            "DISABLE_COLLECTSTATIC": "1",
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
        }
    ctx = make_context(build_dir, cache_dir, env_dir, environ)
    report = BuildReport.start(ctx.cache_dir)
    try:
        _build(ctx, report, copy)
    except BuildError as err:
        report.set("failure_reason", err.reason)
        if err.detail:
            report.set("failure_detail", err.detail)
        raise
    except KeyboardInterrupt:
        report.set("failure_reason", "interrupted")
        raise
    except BaseException:
        report.set("failure_reason", "internal-error::unhandled")
        raise
    finally:
        copy.cancel()  # unless the cache save used it
        report.duration("total_duration", started)
        report.save()
    return 0


def _build(ctx: BuildContext, report: BuildReport, copy: cache_copy.Pending) -> None:
    # --- Analyse: nothing is downloaded or changed until every input is known to be good.
    checks.check_stack(ctx.stack)
    checks.check_duplicate_buildpack(ctx)
    # The app's pre_compile hook may create files the checks and selection below look at.
    run_hook(ctx, report, "pre_compile", base_env(ctx))
    config_vars.check_forbidden(ctx.config_vars)
    checks.check_no_python_dir(ctx.build_dir)
    pm = select(ctx)
    report.set("package_manager", pm.NAME)
    checks.check_no_venv(ctx.build_dir)

    cache.remove_old_layout(ctx.cache_dir)
    stored = cache.read_stored(ctx.cache_dir)
    table = python_version.load_table(ctx.buildpack_dir)
    available = runtime.available_versions(ctx)
    requested = python_version.read_requested(
        ctx.build_dir,
        cached_version=stored.key.python_version if stored.key else None,
        package_manager=pm.NAME,
        table=table,
        available=available,
    )
    output.step(python_version.step_message(requested))
    resolved = python_version.resolve(requested, table, available)
    _report_version(report, requested, resolved, table)
    for warning in python_version.version_warnings(requested, resolved, table, pm.NAME):
        output.warning(warning.title, warning.body)

    key = cache.CacheKey(
        stack=ctx.stack,
        python_version=resolved,
        package_manager=pm.NAME,
        package_manager_version=pm.tool_version(ctx),
        inputs=pm.cache_inputs(ctx),
    )

    # --- Act.
    cache.remove_other_tools(ctx.cache_dir, pm.NAME)
    site_packages = ctx.build_python_home / "lib" / f"python{_minor(resolved)}" / "site-packages"
    restored = _restore_cache(ctx, report, stored, key, site_packages, copy=copy)
    reused = restored == "all"
    if restored == "runtime":
        output.step(f"Restoring the cached Python {resolved} and {pm.DISPLAY}, without dependencies")
    app_env.link_app_python(ctx)
    known = sorted(available) if available is not None else sorted(table.latest.values())
    fresh_runtime = _install_runtime(ctx, report, resolved, known, bool(restored))
    if fresh_runtime:
        # The cache's copy of the new runtime, made while the package manager installs.
        (ctx.cache_dir / ".heroku").mkdir(parents=True, exist_ok=True)
        copy.replace(cache_copy.start(ctx.build_python_home, ctx.cache_dir, ctx.build_dir))

    build_changes = environment.build_env(pm.build_env(ctx))
    child_env = environment.apply(
        build_changes, {**ctx.environ, **config_vars.for_package_managers(ctx.config_vars)}
    )
    for name in ("PYTHONHOME", "PYTHONPATH"):
        child_env.pop(name, None)
    ictx = InstallContext(ctx=ctx, env=child_env, python_version=resolved, cache_reused=reused)

    t = time.monotonic()
    report.set(f"{pm.NAME}_version", pm.install_tool(ictx))
    report.duration("package_manager_install_duration", t)
    if fresh_runtime:
        copy.top_up(ctx.build_python_home)  # the package manager's files, while dependencies install
    # The runtime as the package manager left it, before any dependency: what a later build
    # whose dependencies changed goes back to. A restored runtime already holds dependencies.
    baseline = stored.baseline if reused else dependency_reset.take(ctx.build_python_home, site_packages)

    t = time.monotonic()
    install_key = pm.install_key(ictx)
    pm.install_dependencies(ictx, install_key, stored.install_key if reused else "")
    report.duration("dependencies_install_duration", t)

    # Framework steps: NLTK data, then collectstatic (which may need it), with the hook env.
    nltk_env = download_corpora(ctx, report, hook_env(ctx, child_env))
    step_env = environment.apply(nltk_env, child_env)
    collectstatic(ctx, report, hook_env(ctx, step_env))

    editables = app_env.relocate_editables(ctx, site_packages)
    app_env.write(
        ctx,
        environment.runtime_env([*pm.runtime_env(ctx), *nltk_env]),
        environment.runtime_env([*pm.export_env(ctx), *nltk_env]),
        editables,
    )
    run_hook(ctx, report, "post_compile", step_env)

    t = time.monotonic()
    output.step("Saving cache")
    cache.save(ctx.cache_dir, ctx.build_python_home, key, install_key, baseline=baseline, copy=copy.take())
    report.duration("cache_save_duration", t)


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _report_version(
    report: BuildReport,
    requested: python_version.RequestedVersion,
    resolved: str,
    table: python_version.VersionTable,
) -> None:
    report.set("python_version_requested", str(requested))
    report.set("python_version_origin", requested.origin.label)
    report.set("python_version", resolved)
    report.set("python_version_major", _minor(resolved))
    report.set("python_version_pinned", requested.patch is not None)
    report.set("python_version_outdated", python_version.is_outdated(requested, table))


def _restore_cache(
    ctx: BuildContext,
    report: BuildReport,
    stored: cache.Stored,
    key: cache.CacheKey,
    site_packages: Path,
    *,
    copy: cache_copy.Pending,
) -> str:
    """What of the cache this build starts from: "all", "runtime" (dependencies taken out) or ""."""
    t = time.monotonic()
    if not cache.python_dir(ctx.cache_dir).is_dir():
        report.set("cache_status", "empty")
        return ""
    reasons = cache.discard_reasons(stored, key)
    if not reasons:
        output.step("Restoring cache")
        cache.restore(ctx.cache_dir, ctx.build_python_home)
        report.set("cache_status", "reused")
        report.duration("cache_restore_duration", t)
        return "all"
    output.step("Discarding cache since:")
    output.info("\n".join(f"- {reason}" for reason in reasons))
    report.set("cache_status", "discarded")
    if stored.baseline is not None and cache.only_dependencies_differ(stored, key):
        cache.restore(ctx.cache_dir, ctx.build_python_home)
        problem = dependency_reset.reset(ctx.build_python_home, site_packages, stored.baseline)
        if problem is None:
            report.duration("cache_restore_duration", t)
            return "runtime"
        output.info(f"The cached Python can't be reused either: {problem}")
        cache_copy.remove_trees(ctx.build_python_home)
    copy.cancel()  # a copy of a runtime this build doesn't use
    cache.discard(ctx.cache_dir)
    return ""


def _install_runtime(
    ctx: BuildContext,
    report: BuildReport,
    version: str,
    known: list[str],
    reused: bool,
) -> bool:
    """Installs the runtime unless the restored cache has it; True when it did."""
    if reused and (ctx.build_python_home / "bin" / "python").exists():
        output.step(f"Using cached install of Python {version}")
        return False
    t = time.monotonic()
    output.step(f"Installing Python {version}")
    runtime.install_runtime(ctx, version, ctx.build_python_home, known_versions=known)
    runtime.check_runtime(ctx.python_home, version)
    report.duration("python_install_duration", t)
    return True
