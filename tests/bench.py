"""`make bench`: how long builds take, and where the time goes.

For each scenario (an app and a one-dependency change to it), builds it cold (empty cache),
warm with nothing changed, and warm after the change, several runs each, through the real
bin/compile (runtime from the local mirror over HTTP, packages from the local index). Prints
medians of bin/compile's wall time, the time inside external work (runtime download and
extraction, package manager and dependency installs, as the build report records them), the
buildpack's own time (the rest; its median and its slowest run), the cache save's share of it,
and slug and cache sizes.

    python -m tests.bench [--runs N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The buildpack's package, for the lockfile helpers the scenarios borrow from the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from tests.support import serve_directory
from tests.support.app_runner import FIXTURES_DIR, BuildResult, run_build
from tests.support.mirror import ensure_mirror
from tests.support.wheelhouse import ensure_wheelhouse

EXTERNAL_KEYS = (
    "python_install_duration",
    "package_manager_install_duration",
    "dependencies_install_duration",
)


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Path, str], dict[str, str]]  # (app dir, index URL) -> config vars
    change: Callable[[Path, int], None]  # make the n-th one-dependency change


def _pip_prepare(app: Path, index: str) -> dict[str, str]:
    shutil.copytree(FIXTURES_DIR / "pip_flask_gunicorn", app, dirs_exist_ok=True)
    return {"PIP_INDEX_URL": index}


def _pip_change(app: Path, n: int) -> None:
    base = "flask\ngunicorn\n"
    (app / "requirements.txt").write_text(base + ("six\n" if n % 2 == 0 else "typing-extensions\n"))


# Lockfiles are generated against the local index (they must not name a registry host).
_INDEX: list[str] = [""]  # the local index's URL, set once it is served
_TOOLS_ROOT = Path(tempfile.mkdtemp(prefix="bench_tools_"))


def _toggle(text: str, old: str, new: str, n: int) -> str:
    return text.replace(old, new) if n % 2 == 0 else text.replace(new, old)


@functools.cache
def _uv_binary() -> Path:
    from tests.support.uv_lock import unpack_uv

    return unpack_uv(_TOOLS_ROOT / "uv")


def _uv_prepare(app: Path, index: str) -> dict[str, str]:
    from tests.support.uv_lock import lock

    shutil.copytree(FIXTURES_DIR / "uv_flask_gunicorn", app, dirs_exist_ok=True)
    lock(app, uv=_uv_binary(), index_url=index, cache=_TOOLS_ROOT / "uv-cache")
    return {"UV_INDEX_URL": index, "PIP_INDEX_URL": index}


def _uv_change(app: Path, n: int) -> None:
    from tests.support.uv_lock import lock

    pyproject = app / "pyproject.toml"
    pyproject.write_text(
        _toggle(pyproject.read_text(), '["flask", "gunicorn"]', '["flask", "gunicorn", "six"]', n)
    )
    lock(app, uv=_uv_binary(), index_url=_INDEX[0], cache=_TOOLS_ROOT / "uv-cache")


@functools.cache
def _poetry_locker(index: str) -> Any:
    from tests.support.lockers import poetry_locker

    return poetry_locker(_TOOLS_ROOT / "poetry", index)


def _poetry_prepare(app: Path, index: str) -> dict[str, str]:
    shutil.copytree(FIXTURES_DIR / "poetry_flask_gunicorn", app, dirs_exist_ok=True)
    (_TOOLS_ROOT / "poetry").mkdir(exist_ok=True)
    _poetry_locker(index).lock(app)
    return {"PIP_INDEX_URL": index, "UV_INDEX_URL": index}


def _poetry_change(app: Path, n: int) -> None:
    pyproject = app / "pyproject.toml"
    pyproject.write_text(
        _toggle(pyproject.read_text(), '["flask", "gunicorn"]', '["flask", "gunicorn", "six"]', n)
    )
    _poetry_locker(_INDEX[0]).lock(app)


@functools.cache
def _pdm_locker(index: str) -> Any:
    from tests.support.lockers import pdm_locker

    return pdm_locker(_TOOLS_ROOT / "pdm", index)


def _pdm_prepare(app: Path, index: str) -> dict[str, str]:
    shutil.copytree(FIXTURES_DIR / "pdm_flask_gunicorn", app, dirs_exist_ok=True)
    (_TOOLS_ROOT / "pdm").mkdir(exist_ok=True)
    _pdm_locker(index).lock(app)
    return {"PIP_INDEX_URL": index, "UV_INDEX_URL": index, "PDM_PYPI_URL": index}


def _pdm_change(app: Path, n: int) -> None:
    pyproject = app / "pyproject.toml"
    pyproject.write_text(
        _toggle(pyproject.read_text(), '["flask", "gunicorn"]', '["flask", "gunicorn", "six"]', n)
    )
    _pdm_locker(_INDEX[0]).lock(app)


@functools.cache
def _pipenv_locker(index: str) -> Any:
    from tests.integration.test_pipenv import Locker

    root = _TOOLS_ROOT / "pipenv"
    root.mkdir(exist_ok=True)
    locker = Locker(root, index)
    locker.setup()
    return locker


def _pipenv_prepare(app: Path, index: str) -> dict[str, str]:
    shutil.rmtree(app, ignore_errors=True)
    _pipenv_locker(index).app("pipenv_flask_gunicorn", app)
    return {"PIP_INDEX_URL": index, "UV_INDEX_URL": index}


def _pipenv_change(app: Path, n: int) -> None:
    pipfile = app / "Pipfile"
    pipfile.write_text(_toggle(pipfile.read_text(), 'gunicorn = "*"\n', 'gunicorn = "*"\nsix = "*"\n', n))
    _pipenv_locker(_INDEX[0]).lock(app)


SCENARIOS: list[Scenario] = [
    Scenario("pip", _pip_prepare, _pip_change),
    Scenario("uv", _uv_prepare, _uv_change),
    Scenario("poetry", _poetry_prepare, _poetry_change),
    Scenario("pdm", _pdm_prepare, _pdm_change),
    Scenario("pipenv", _pipenv_prepare, _pipenv_change),
]


@dataclass
class Sample:
    wall: float
    external: float
    report: dict[str, object]


def _sample(result: BuildResult) -> Sample:
    if result.returncode != 0 or result.compile_seconds is None:
        raise SystemExit(f"bench: a build failed:\n{result.output}")
    report = json.loads(result.report_json or "{}")
    external = sum(float(report.get(key, 0.0)) for key in EXTERNAL_KEYS)
    return Sample(result.compile_seconds, external, report)


def _du(path: Path) -> int:
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=False).stdout
    return int(out.split()[0]) if out else 0


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_scenario(scenario: Scenario, runs: int, mirror_url: str, index: str, work: Path) -> dict[str, Any]:
    results: dict[str, list[Sample]] = {"cold": [], "warm": [], "changed": []}
    slug = cache = 0
    build_dirs: list[Path] = []

    def build(app: Path, cache_dir: Path, config: dict[str, str]) -> Sample:
        result = run_build(app, cache_dir=cache_dir, config=config, runtime_base_url=mirror_url)
        build_dirs.append(result.build_dir)
        return _sample(result)

    try:
        for n in range(runs):
            app = work / f"{scenario.name}-cold-{n}"
            config = scenario.prepare(app, index)
            results["cold"].append(build(app, work / f"{scenario.name}-cache-cold-{n}", config))
        app = work / f"{scenario.name}-warm"
        config = scenario.prepare(app, index)
        cache_dir = work / f"{scenario.name}-cache-warm"
        build(app, cache_dir, config)
        for _ in range(runs):
            results["warm"].append(build(app, cache_dir, config))
        slug, cache = _du(build_dirs[-1]), _du(cache_dir)
        for n in range(runs):
            scenario.change(app, n)
            results["changed"].append(build(app, cache_dir, config))
    finally:
        for path in build_dirs:
            shutil.rmtree(path, ignore_errors=True)

    summary: dict[str, Any] = {"slug_mb": round(slug / 1e6, 1), "cache_mb": round(cache / 1e6, 1)}
    for kind, samples in results.items():
        wall = _median([s.wall for s in samples])
        external = _median([s.external for s in samples])
        own = _median([s.wall - s.external for s in samples])
        own_max = max((s.wall - s.external for s in samples), default=float("nan"))
        save = _median([float(str(s.report.get("cache_save_duration", 0.0))) for s in samples])
        summary[kind] = {"wall": wall, "external": external, "own": own, "own_max": own_max, "save": save}
        tool = _median([float(str(s.report.get("package_manager_install_duration", 0.0))) for s in samples])
        summary[kind]["tool_install"] = tool
    return summary


def _print_summary(name: str, summary: dict[str, Any]) -> None:
    cold_wall = summary["cold"]["wall"]
    for kind in ("cold", "warm", "changed"):
        s = summary[kind]
        ratio = f"{s['wall'] / cold_wall:9.0%}" if kind != "cold" else ""
        figures = (
            f"{s['wall']:7.2f} {s['external']:9.2f} {s['own']:7.2f} {s['own_max']:7.2f}"
            f" {s['save']:7.2f} {s['tool_install']:7.2f}"
        )
        print(f"{name:8} {kind:8} {figures} {ratio}")
    print(f"{name:8} slug {summary['slug_mb']} MB, cache {summary['cache_mb']} MB\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]

    print("Preparing the local runtime mirror and package index...", flush=True)
    mirror, wheelhouse = ensure_mirror(), ensure_wheelhouse()
    work = Path(tempfile.mkdtemp(prefix="bench_"))
    header = (
        f"{'app':8} {'build':8} {'wall':>7} {'external':>9} {'own':>7} {'own max':>7} {'save':>7}"
        f" {'tool':>7} {'warm/cold':>9}"
    )
    try:
        with serve_directory(mirror) as mirror_url, serve_directory(wheelhouse) as index_root:
            _INDEX[0] = f"{index_root}/simple/"
            for scenario in chosen:
                print(f"Benchmarking {scenario.name} ({args.runs} runs each)...", flush=True)
                summary = run_scenario(scenario, args.runs, mirror_url, _INDEX[0], work)
                print(
                    "Medians in seconds (own max: the slowest run): bin/compile wall time ="
                    " external work + the buildpack's own code"
                )
                print(f"{header}\n{'-' * len(header)}")
                _print_summary(scenario.name, summary)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(_TOOLS_ROOT, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
