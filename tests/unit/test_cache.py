"""Tests for lib/python_buildpack/cache.py: the stored key, reasons to discard, save and restore."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from python_buildpack import cache, cache_copy
from python_buildpack.cache import CacheKey, Stored
from python_buildpack.dependency_reset import Baseline

KEY = CacheKey(
    stack="heroku-24",
    python_version="3.13.0",
    package_manager="pip",
    package_manager_version="26.3",
    inputs={"requirements.txt": "aaa", "requirements/base.txt": "bbb"},
)


def write_metadata(cache_dir: Path, data: Any) -> None:
    path = cache.metadata_file(cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")


def valid_metadata(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": cache.FORMAT,
        "stack": "heroku-24",
        "python_version": "3.13.0",
        "package_manager": "pip",
        "package_manager_version": "26.3",
        "inputs": {"requirements.txt": "aaa"},
        "install_key": "ik",
    }
    data.update(changes)
    return data


def make_runtime(home: Path) -> None:
    """A small tree shaped like an installed runtime: files, a symlink, modes, a nested dir."""
    (home / "bin").mkdir(parents=True)
    python = home / "bin" / "python3.13"
    python.write_text("#!/bin/sh\necho python\n")
    python.chmod(0o755)
    (home / "bin" / "python").symlink_to("python3.13")
    (home / "bin" / "python3").symlink_to(python)  # an absolute symlink
    site = home / "lib" / "python3.13" / "site-packages"
    site.mkdir(parents=True)
    (site / "module.py").write_text("X = 1\n")
    secret = site / "private.txt"
    secret.write_text("p")
    secret.chmod(0o600)
    (home / "lib" / "python3.13").chmod(0o750)


# --- read_stored -----------------------------------------------------------------------------


def test_read_stored_missing(tmp_path: Path) -> None:
    assert cache.read_stored(tmp_path) == Stored(None, "", None)


def test_read_stored_valid(tmp_path: Path) -> None:
    write_metadata(tmp_path, valid_metadata())
    stored = cache.read_stored(tmp_path)
    assert stored.problem is None
    assert stored.install_key == "ik"
    assert stored.key == CacheKey("heroku-24", "3.13.0", "pip", "26.3", {"requirements.txt": "aaa"})


def test_read_stored_without_install_key(tmp_path: Path) -> None:
    data = valid_metadata()
    del data["install_key"]
    write_metadata(tmp_path, data)
    stored = cache.read_stored(tmp_path)
    assert stored.key is not None
    assert stored.install_key == ""


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{not json", id="invalid-json"),
        pytest.param("", id="empty-file"),
        pytest.param("[1, 2]", id="list"),
        pytest.param('"a string"', id="string"),
        pytest.param(
            json.dumps({k: v for k, v in valid_metadata().items() if k != "stack"}), id="missing-stack"
        ),
        pytest.param(
            json.dumps({k: v for k, v in valid_metadata().items() if k != "inputs"}), id="missing-inputs"
        ),
        pytest.param(json.dumps(valid_metadata(inputs=5)), id="inputs-not-a-mapping"),
        pytest.param(json.dumps(valid_metadata(inputs="abc")), id="inputs-a-string"),
    ],
)
def test_read_stored_corrupt(tmp_path: Path, content: str) -> None:
    write_metadata(tmp_path, content)
    assert cache.read_stored(tmp_path) == Stored(None, "", "The cache metadata is unreadable")


def test_read_stored_binary_garbage(tmp_path: Path) -> None:
    path = cache.metadata_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert cache.read_stored(tmp_path).problem == "The cache metadata is unreadable"


def test_read_stored_metadata_is_a_directory(tmp_path: Path) -> None:
    cache.metadata_file(tmp_path).mkdir(parents=True)
    assert cache.read_stored(tmp_path).problem == "The cache metadata is unreadable"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({k: v for k, v in valid_metadata().items() if k != "format"}, id="no-format"),
        pytest.param(valid_metadata(format=0), id="older-format"),
        pytest.param(valid_metadata(format=cache.FORMAT + 1), id="newer-format"),
        pytest.param(valid_metadata(format=str(cache.FORMAT)), id="format-as-string"),
        pytest.param({"python": "3.9.0"}, id="unrelated-shape"),
    ],
)
def test_read_stored_old_format(tmp_path: Path, data: dict[str, Any]) -> None:
    write_metadata(tmp_path, data)
    assert cache.read_stored(tmp_path) == Stored(None, "", "The cache format has changed")


def test_write_key_round_trip(tmp_path: Path) -> None:
    (tmp_path / ".heroku").mkdir()
    cache.write_key(tmp_path, KEY, "install-123")
    stored = cache.read_stored(tmp_path)
    assert stored == Stored(KEY, "install-123", None)
    assert cache.discard_reasons(stored, KEY) == []
    # Written atomically: nothing but the metadata file is left beside it.
    assert sorted(p.name for p in (tmp_path / ".heroku").iterdir()) == ["cache.json"]


# --- discard_reasons -------------------------------------------------------------------------


def test_no_reasons_when_unchanged() -> None:
    assert cache.discard_reasons(Stored(KEY, "x", None), dataclasses.replace(KEY)) == []


def test_reason_when_metadata_problem() -> None:
    stored = Stored(None, "", "The cache metadata is unreadable")
    assert cache.discard_reasons(stored, KEY) == ["The cache metadata is unreadable"]


def test_reason_when_no_metadata() -> None:
    reasons = cache.discard_reasons(Stored(None, "", None), KEY)
    assert reasons == ["The cache has no record of what it holds (an earlier build did not finish)"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param({"stack": "heroku-22"}, "The stack has changed from heroku-22 to heroku-24", id="stack"),
        pytest.param(
            {"python_version": "3.12.1"}, "The Python version has changed from 3.12.1 to 3.13.0", id="python"
        ),
        pytest.param(
            {"package_manager": "uv", "package_manager_version": "0.1"},
            "The package manager has changed from uv to pip",
            id="package-manager",
        ),
        pytest.param(
            {"package_manager_version": "25.0"},
            "The pip version has changed from 25.0 to 26.3",
            id="package-manager-version",
        ),
    ],
)
def test_each_reason(change: dict[str, str], reason: str) -> None:
    old = dataclasses.replace(KEY, **change)  # type: ignore[arg-type]
    assert cache.discard_reasons(Stored(old, "", None), KEY) == [reason]


def test_input_reasons() -> None:
    old = dataclasses.replace(
        KEY, inputs={"requirements.txt": "aaa", "old.txt": "o", "requirements/base.txt": "x"}
    )
    new = dataclasses.replace(
        KEY, inputs={"requirements.txt": "aaa", "new.txt": "n", "requirements/base.txt": "y"}
    )
    assert cache.discard_reasons(Stored(old, "", None), new) == [
        "new.txt was added",
        "old.txt was removed",
        "The contents of requirements/base.txt changed",
    ]


def test_several_reasons_at_once() -> None:
    old = CacheKey("heroku-22", "3.12.1", "pip", "24.0", {"requirements.txt": "old"})
    reasons = cache.discard_reasons(Stored(old, "", None), KEY)
    assert reasons == [
        "The stack has changed from heroku-22 to heroku-24",
        "The Python version has changed from 3.12.1 to 3.13.0",
        "The pip version has changed from 24.0 to 26.3",
        "The contents of requirements.txt changed",
        "requirements/base.txt was added",
    ]


def test_package_manager_change_hides_version_change() -> None:
    old = dataclasses.replace(KEY, package_manager="poetry", package_manager_version="2.0")
    reasons = cache.discard_reasons(Stored(old, "", None), KEY)
    assert reasons == ["The package manager has changed from poetry to pip"]


# --- save, restore, discard ------------------------------------------------------------------


def test_save_then_restore_round_trip(tmp_path: Path) -> None:
    build_home = tmp_path / "build" / ".heroku" / "python"
    cache_dir = tmp_path / "cache"
    make_runtime(build_home)

    cache.save(cache_dir, build_home, KEY, "ik-1", baseline=None)

    saved = cache.python_dir(cache_dir)
    assert cache.read_stored(cache_dir) == Stored(KEY, "ik-1", None)
    # The build dir keeps its runtime (it goes into the slug).
    assert (build_home / "bin" / "python3.13").is_file()
    # Only the runtime and the metadata: no staging dir or temp file left behind.
    assert sorted(p.name for p in (cache_dir / ".heroku").iterdir()) == ["cache.json", "python"]

    new_home = tmp_path / "build2" / ".heroku" / "python"
    cache.restore(cache_dir, new_home)
    assert not saved.exists()
    assert_same_tree(build_home, new_home)
    assert os.readlink(new_home / "bin" / "python") == "python3.13"
    assert os.readlink(new_home / "bin" / "python3") == str(build_home / "bin" / "python3.13")
    assert stat.S_IMODE((new_home / "bin" / "python3.13").stat().st_mode) == 0o755
    assert (
        stat.S_IMODE((new_home / "lib" / "python3.13" / "site-packages" / "private.txt").stat().st_mode)
        == 0o600
    )
    assert stat.S_IMODE((new_home / "lib" / "python3.13").stat().st_mode) == 0o750
    result = subprocess.run([new_home / "bin" / "python"], capture_output=True, text=True, check=True)
    assert result.stdout == "python\n"


def assert_same_tree(a: Path, b: Path) -> None:
    def entries(root: Path) -> dict[str, tuple[str, str | None, int]]:
        found: dict[str, tuple[str, str | None, int]] = {}
        for path in sorted(root.rglob("*")):
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path), 0)
            elif path.is_dir():
                found[rel] = ("dir", None, stat.S_IMODE(path.stat().st_mode))
            else:
                found[rel] = ("file", path.read_text(), stat.S_IMODE(path.stat().st_mode))
        return found

    assert entries(a) == entries(b)


def test_save_hardlinks_on_the_same_filesystem(tmp_path: Path) -> None:
    build_home = tmp_path / "build" / ".heroku" / "python"
    cache_dir = tmp_path / "cache"
    make_runtime(build_home)
    cache.save(cache_dir, build_home, KEY, "ik", baseline=None)
    for rel in ("bin/python3.13", "lib/python3.13/site-packages/module.py"):
        assert (build_home / rel).stat().st_ino == (cache.python_dir(cache_dir) / rel).stat().st_ino, rel


def test_restore_is_a_rename(tmp_path: Path) -> None:
    build_home = tmp_path / "build" / ".heroku" / "python"
    cache_dir = tmp_path / "cache"
    make_runtime(build_home)
    cache.save(cache_dir, build_home, KEY, "ik", baseline=None)
    inode = (cache.python_dir(cache_dir) / "bin" / "python3.13").stat().st_ino
    new_home = tmp_path / "new" / ".heroku" / "python"
    cache.restore(cache_dir, new_home)
    assert (new_home / "bin" / "python3.13").stat().st_ino == inode


def test_save_copies_across_filesystems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "same_filesystem", lambda a, b: False)
    build_home = tmp_path / "build" / ".heroku" / "python"
    cache_dir = tmp_path / "cache"
    make_runtime(build_home)
    cache.save(cache_dir, build_home, KEY, "ik", baseline=None)
    saved = cache.python_dir(cache_dir)
    assert (build_home / "bin" / "python3.13").stat().st_ino != (saved / "bin" / "python3.13").stat().st_ino
    assert_same_tree(build_home, saved)


def test_restore_falls_back_to_copy_when_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_home = tmp_path / "build" / ".heroku" / "python"
    cache_dir = tmp_path / "cache"
    make_runtime(build_home)
    cache.save(cache_dir, build_home, KEY, "ik", baseline=None)

    def cross_device(src: object, dst: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "rename", cross_device)
    new_home = tmp_path / "new" / ".heroku" / "python"
    cache.restore(cache_dir, new_home)
    monkeypatch.undo()
    assert not cache.python_dir(cache_dir).exists()
    assert_same_tree(build_home, new_home)


def _copying(tmp_path: Path) -> tuple[Path, Path, cache_copy.BackgroundCopy]:
    """A cache dir, a built runtime, and its background copy into the cache, started."""
    cache_dir = tmp_path / "cache"
    (cache_dir / ".heroku").mkdir(parents=True)
    build_dir = tmp_path / "build"
    build_home = build_dir / ".heroku" / "python"
    make_runtime(build_home)
    copy = cache_copy.start(build_home, cache_dir, build_dir)
    assert copy is not None
    return cache_dir, build_home, copy


def test_save_completes_a_background_copy(tmp_path: Path) -> None:
    cache_dir, build_home, copy = _copying(tmp_path)
    (build_home / "lib" / "added.py").write_text("")  # installed after the copy started
    cache.save(cache_dir, build_home, KEY, "ik", baseline=None, copy=copy)
    saved = cache.python_dir(cache_dir)
    assert (saved / "lib" / "added.py").stat().st_ino == (build_home / "lib" / "added.py").stat().st_ino
    assert (saved / "bin" / "python3.13").is_file()
    assert sorted(p.name for p in (cache_dir / ".heroku").iterdir()) == ["cache.json", "python"]
    assert cache.read_stored(cache_dir).key == KEY


def test_save_without_the_background_copy_it_was_given(tmp_path: Path) -> None:
    # A post_compile hook may delete the cache dir, background copy and all.
    cache_dir, build_home, copy = _copying(tmp_path)
    copy.process.wait()
    subprocess.run(["rm", "-rf", str(cache_dir)], check=True)
    cache.save(cache_dir, build_home, KEY, "ik", baseline=None, copy=copy)
    assert (cache.python_dir(cache_dir) / "bin" / "python3.13").is_file()
    assert cache.read_stored(cache_dir).key == KEY


def test_save_replaces_previous_contents(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    old = cache.python_dir(cache_dir)
    old.mkdir(parents=True)
    (old / "stale.txt").write_text("old")
    write_metadata(cache_dir, valid_metadata())
    build_home = tmp_path / "build" / ".heroku" / "python"
    make_runtime(build_home)
    cache.save(cache_dir, build_home, KEY, "new", baseline=None)
    assert not (old / "stale.txt").exists()
    assert (old / "bin" / "python3.13").is_file()
    assert cache.read_stored(cache_dir).install_key == "new"


def test_save_failure_leaves_no_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    (cache_dir / ".heroku").mkdir(parents=True)
    cache.write_key(cache_dir, KEY, "old")  # a previous, complete save
    cache.python_dir(cache_dir).mkdir()
    build_home = tmp_path / "build" / ".heroku" / "python"
    make_runtime(build_home)

    real_run = subprocess.run

    def failing_run(cmd: list[str], **kwargs: Any) -> object:
        if cmd[0] == "cp":
            raise subprocess.CalledProcessError(1, "cp")
        return real_run(cmd, **kwargs)

    monkeypatch.setattr(subprocess, "run", failing_run)
    with pytest.raises(subprocess.CalledProcessError):
        cache.save(cache_dir, build_home, KEY, "new", baseline=None)
    monkeypatch.undo()

    assert not cache.metadata_file(cache_dir).exists()
    assert not cache.python_dir(cache_dir).exists()
    # The next build sees an empty cache, not a half-saved one with a key.
    assert cache.read_stored(cache_dir) == Stored(None, "", None)
    # The leftover staging dir is what the next build's cache_copy.clean_stale removes.
    assert list((cache_dir / ".heroku").glob(".python-saving.*"))
    cache_copy.clean_stale(cache_dir)
    assert list((cache_dir / ".heroku").iterdir()) == []


def test_save_with_missing_source_fails_without_metadata(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    with pytest.raises(subprocess.CalledProcessError):
        cache.save(cache_dir, tmp_path / "missing", KEY, "ik", baseline=None)
    assert not cache.metadata_file(cache_dir).exists()


def test_metadata_is_written_after_the_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    build_home = tmp_path / "build" / ".heroku" / "python"
    make_runtime(build_home)
    seen: list[bool] = []
    real_write_key = cache.write_key

    def recording_write_key(
        cache_dir: Path, key: CacheKey, install_key: str, baseline: Baseline | None = None
    ) -> None:
        seen.append((cache.python_dir(cache_dir) / "bin" / "python3.13").is_file())
        real_write_key(cache_dir, key, install_key, baseline)

    monkeypatch.setattr(cache, "write_key", recording_write_key)
    cache.save(cache_dir, build_home, KEY, "ik", baseline=None)
    assert seen == [True]


def test_discard_keeps_pip_cache(tmp_path: Path) -> None:
    pip_cache = tmp_path / ".heroku" / "pip-cache"
    pip_cache.mkdir(parents=True)
    (pip_cache / "wheel.whl").write_text("w")
    cache.python_dir(tmp_path).mkdir()
    (cache.python_dir(tmp_path) / "f").write_text("f")
    write_metadata(tmp_path, valid_metadata())
    cache.discard(tmp_path)
    assert not cache.python_dir(tmp_path).exists()
    assert not cache.metadata_file(tmp_path).exists()
    assert (pip_cache / "wheel.whl").is_file()


def test_discard_empty_cache(tmp_path: Path) -> None:
    cache.discard(tmp_path)
    cache.discard(tmp_path / "missing")


def test_restore_creates_parent(tmp_path: Path) -> None:
    cache.python_dir(tmp_path / "cache").mkdir(parents=True)
    (cache.python_dir(tmp_path / "cache") / "f").write_text("f")
    target = tmp_path / "deep" / "build" / ".heroku" / "python"
    cache.restore(tmp_path / "cache", target)
    assert (target / "f").read_text() == "f"


# --- clean_stale -----------------------------------------------------------------------------


def test_clean_stale(tmp_path: Path) -> None:
    heroku = tmp_path / ".heroku"
    for name in (".python-saving.abc", ".python-saving.def"):
        (heroku / name / "python" / "bin").mkdir(parents=True)
        (heroku / name / "python" / "bin" / "python").write_text("x")
    (heroku / "python").mkdir()
    (heroku / "pip-cache").mkdir()
    (heroku / "cache.json").write_text("{}")
    cache_copy.clean_stale(tmp_path)
    assert sorted(p.name for p in heroku.iterdir()) == ["cache.json", "pip-cache", "python"]


def test_clean_stale_without_cache(tmp_path: Path) -> None:
    cache_copy.clean_stale(tmp_path)
    cache_copy.clean_stale(tmp_path / "missing")
    cache.remove_old_layout(tmp_path)
    assert list(tmp_path.iterdir()) == []


BASELINE = Baseline(
    frozenset({"bin", "lib"}), frozenset({"python"}), frozenset({"pip", "pip-26.3.dist-info"})
)


def test_baseline_round_trip(tmp_path: Path) -> None:
    (tmp_path / ".heroku").mkdir()
    cache.write_key(tmp_path, KEY, "ik", BASELINE)
    assert cache.read_stored(tmp_path).baseline == BASELINE


def test_no_baseline_from_older_caches(tmp_path: Path) -> None:
    (tmp_path / ".heroku").mkdir()
    cache.write_key(tmp_path, KEY, "ik")
    stored = cache.read_stored(tmp_path)
    assert stored.key == KEY
    assert stored.baseline is None


@pytest.mark.parametrize("raw", ["x", [], {"home": []}, {"home": 1, "bin": [], "site_packages": []}])
def test_unreadable_baseline_is_ignored(tmp_path: Path, raw: object) -> None:
    (tmp_path / ".heroku").mkdir()
    cache.write_key(tmp_path, KEY, "ik", BASELINE)
    path = cache.metadata_file(tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), "baseline": raw}))
    stored = cache.read_stored(tmp_path)
    assert stored.key == KEY
    assert stored.baseline is None


def test_only_dependencies_differ() -> None:
    stored = cache.Stored(KEY, "ik", None, BASELINE)
    assert cache.only_dependencies_differ(stored, dataclasses.replace(KEY, inputs={"requirements.txt": "b"}))
    assert cache.only_dependencies_differ(stored, KEY)


@pytest.mark.parametrize(
    "change",
    [
        {"stack": "heroku-22"},
        {"python_version": "3.12.2"},
        {"package_manager": "pipenv"},
        {"package_manager_version": "1"},
    ],
)
def test_runtime_or_tool_changes_are_not_dependency_changes(change: dict[str, str]) -> None:
    stored = cache.Stored(KEY, "ik", None, BASELINE)
    assert not cache.only_dependencies_differ(stored, dataclasses.replace(KEY, **change))


def test_unreadable_metadata_is_not_a_dependency_change() -> None:
    assert not cache.only_dependencies_differ(cache.Stored(None, "", "unreadable"), KEY)
    assert not cache.only_dependencies_differ(cache.Stored(None, "", None), KEY)


def test_clean_stale_removes_the_old_runtime_copy(tmp_path: Path) -> None:
    heroku = tmp_path / ".heroku"
    (heroku / "python-base" / "bin").mkdir(parents=True)
    (heroku / "python-base.json").write_text("{}")
    (heroku / "python").mkdir()
    cache.remove_old_layout(tmp_path)
    assert sorted(p.name for p in heroku.iterdir()) == ["python"]


@pytest.mark.parametrize(
    ("manager", "kept", "removed"),
    [
        (
            "pip",
            {"pip-cache"},
            {"python-poetry", "poetry-cache", "python-pdm", "pdm-cache", "python-uv", "uv-cache"},
        ),
        (
            "poetry",
            {"pip-cache", "python-poetry", "poetry-cache", "python-uv", "uv-cache"},
            {"python-pdm", "pdm-cache"},
        ),
        (
            "uv",
            {"pip-cache", "python-uv", "uv-cache"},
            {"python-poetry", "poetry-cache", "python-pdm", "pdm-cache"},
        ),
    ],
)
def test_remove_other_tools(tmp_path: Path, manager: str, kept: set[str], removed: set[str]) -> None:
    heroku = tmp_path / ".heroku"
    for name in kept | removed:
        (heroku / name).mkdir(parents=True)
    cache.remove_other_tools(tmp_path, manager)
    assert {p.name for p in heroku.iterdir()} == kept
