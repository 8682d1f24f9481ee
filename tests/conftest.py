"""Shared pytest configuration and fixtures: the `integration` marker, the local runtime mirror,
the local package index and the app builder."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import serve_directory
from tests.support.app_runner import BuildResult, run_build
from tests.support.mirror import ensure_mirror
from tests.support.wheelhouse import ensure_wheelhouse


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: slow test that runs real builds, runtimes or servers")


@dataclass(frozen=True)
class RuntimeMirror:
    path: Path
    file_url: str  # file:///... (no trailing slash)
    http_url: str  # http://127.0.0.1:PORT (no trailing slash)


@pytest.fixture(scope="session")
def runtime_mirror() -> Iterator[RuntimeMirror]:
    path = ensure_mirror()
    with serve_directory(path) as url:
        yield RuntimeMirror(path=path, file_url=path.as_uri(), http_url=url)


@pytest.fixture(scope="session")
def package_index() -> Iterator[str]:
    """URL of a local PEP 503 index (http://127.0.0.1:PORT/simple/) serving the wheelhouse."""
    with serve_directory(ensure_wheelhouse()) as url:
        yield f"{url}/simple/"


@pytest.fixture
def build_app(runtime_mirror: RuntimeMirror, tmp_path: Path) -> Iterator[Callable[..., BuildResult]]:
    """`build_app(fixture, **kwargs)`: run_build with cache_dir=tmp_path/"cache" and the local
    runtime mirror (http) unless given; build dirs are removed after the test."""
    build_dirs: list[Path] = []

    def build(fixture: str | Path, **kwargs: Any) -> BuildResult:
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        kwargs.setdefault("runtime_base_url", runtime_mirror.http_url)
        result = run_build(fixture, **kwargs)
        build_dirs.append(result.build_dir)
        return result

    yield build
    for build_dir in build_dirs:
        shutil.rmtree(build_dir, ignore_errors=True)
