"""dependency_reset: back to the runtime as the package manager left it."""

from __future__ import annotations

import os
from pathlib import Path

from python_buildpack import dependency_reset
from python_buildpack.dependency_reset import Baseline


def _write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _tree(root: Path) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            found.add(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def _runtime(tmp_path: Path) -> tuple[Path, Path]:
    home = tmp_path / "build" / ".heroku" / "python"
    site = home / "lib" / "python3.12" / "site-packages"
    _write(home / "bin" / "python3.12")
    (home / "bin" / "python").symlink_to("python3.12")
    _write(home / "bin" / "pip")
    _write(home / "include" / "python3.12" / "Python.h")
    _write(home / "share" / "man" / "man1" / "python3.12.1")
    _write(home / "lib" / "python3.12" / "os.py")
    _write(site / "README.txt")
    _write(site / "pip" / "__init__.py")
    _write(site / "pip-26.3.dist-info" / "RECORD", "pip/__init__.py,,\n../../../bin/pip,,\n")
    return home, site


def _install_dependencies(home: Path, site: Path) -> None:
    _write(site / "flask" / "__init__.py")
    _write(site / "flask" / "__pycache__" / "__init__.cpython-312.pyc")  # written at runtime: not in RECORD
    _write(site / "six.py")
    _write(site / "__pycache__" / "six.cpython-312.pyc")
    _write(home / "bin" / "flask")
    _write(home / "include" / "site" / "python3.12" / "greenlet" / "greenlet.h")
    _write(home / "share" / "jupyter" / "kernels" / "k.json")
    _write(home / "src" / "some-vcs-checkout" / "setup.py")  # pip --src
    _write(
        site / "flask-3.1.dist-info" / "RECORD",
        "flask/__init__.py,sha256=x,1\n"
        "../../../bin/flask,,\n"
        "../../../include/site/python3.12/greenlet/greenlet.h,,\n"
        "../../../share/jupyter/kernels/k.json,,\n"
        "../../../../../outside-the-home.txt,,\n"
        "/etc/absolute-path,,\n"
        "\n",
    )
    _write(site / "six-1.17.dist-info" / "RECORD", "six.py,,\n")
    _write(site / "legacy-1.0.egg-info" / "PKG-INFO")  # no RECORD at all
    _write(site / "legacy.pth", "/somewhere\n")


def test_reset_gives_back_the_baseline(tmp_path: Path) -> None:
    home, site = _runtime(tmp_path)
    before = _tree(home)
    baseline = dependency_reset.take(home, site)
    _install_dependencies(home, site)
    outside = _write(tmp_path / "outside-the-home.txt")

    assert dependency_reset.reset(home, site, baseline) is None
    assert _tree(home) == before
    assert outside.exists()  # a RECORD can't reach out of the Python home


def test_reset_with_nothing_installed_changes_nothing(tmp_path: Path) -> None:
    home, site = _runtime(tmp_path)
    before = _tree(home)
    assert dependency_reset.reset(home, site, dependency_reset.take(home, site)) is None
    assert _tree(home) == before


def test_reset_refuses_when_the_baseline_was_replaced(tmp_path: Path) -> None:
    home, site = _runtime(tmp_path)
    baseline = dependency_reset.take(home, site)
    _install_dependencies(home, site)
    # A requirement upgraded pip over the pinned one.
    (site / "pip-26.3.dist-info").rename(site / "pip-99.0.dist-info")
    before = _tree(home)

    problem = dependency_reset.reset(home, site, baseline)
    assert problem == (
        "python/lib/python3.12/site-packages/pip-26.3.dist-info is no longer there "
        "(the app's requirements replaced it)"
    )
    assert _tree(home) == before


def test_reset_refuses_when_a_baseline_script_is_gone(tmp_path: Path) -> None:
    home, site = _runtime(tmp_path)
    baseline = dependency_reset.take(home, site)
    (home / "bin" / "pip").unlink()
    assert dependency_reset.reset(home, site, baseline) == (
        "python/bin/pip is no longer there (the app's requirements replaced it)"
    )


def test_unreadable_record_still_removes_the_listed_extras(tmp_path: Path) -> None:
    home, site = _runtime(tmp_path)
    baseline = dependency_reset.take(home, site)
    (site / "bad-1.0.dist-info").mkdir()
    (site / "bad-1.0.dist-info" / "RECORD").write_bytes(b"\xff\xfe\x00bad")
    _write(home / "bin" / "bad")
    assert dependency_reset.reset(home, site, baseline) is None
    assert not (site / "bad-1.0.dist-info").exists()
    assert not (home / "bin" / "bad").exists()


def test_baseline_json_round_trip(tmp_path: Path) -> None:
    home, site = _runtime(tmp_path)
    baseline = dependency_reset.take(home, site)
    assert Baseline.from_json(baseline.to_json()) == baseline
    assert "pip-26.3.dist-info" in baseline.site_packages
    assert baseline.bin == {"python", "python3.12", "pip"}


def test_baseline_of_a_missing_site_packages_is_empty(tmp_path: Path) -> None:
    home = tmp_path / "python"
    _write(home / "bin" / "python")
    assert dependency_reset.take(home, home / "lib" / "python3.12" / "site-packages").site_packages == set()
