"""Tests for lib/python_buildpack/nltk.py and errors/nltk.py: nltk.txt parsing, when the download
runs, how the driver's outcomes become errors (with a stand-in `python`), and NLTK_DATA."""

from __future__ import annotations

from pathlib import Path

import pytest

from python_buildpack import environment, nltk
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.nltk import (
    NltkDownloadFailed,
    NltkIndexRefused,
    NltkInvalidEntries,
    NltkNotImportable,
)
from python_buildpack.report import BuildReport
from tests.support.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


# --- nltk.txt --------------------------------------------------------------------------------------


def test_read_ids_fixture() -> None:
    assert nltk.read_ids(FIXTURES / "nltk_dependency_and_nltk_txt" / "nltk.txt") == ["tinycorpus", "tinystop"]


def test_read_ids_formats(tmp_path: Path) -> None:
    path = tmp_path / "nltk.txt"
    path.write_text(
        "\ufeffpunkt\n\n  stopwords  # for filtering\nwordnet, omw-1.4\r\n"
        "punkt\naveraged_perceptron_tagger_eng\n"
    )
    assert nltk.read_ids(path) == [
        "punkt",
        "stopwords",
        "wordnet",
        "omw-1.4",
        "averaged_perceptron_tagger_eng",
    ]


def test_read_ids_invalid_entries(tmp_path: Path) -> None:
    with pytest.raises(NltkInvalidEntries) as info:
        nltk.read_ids(FIXTURES / "nltk_txt_invalid" / "nltk.txt")
    assert info.value.reason == "nltk::invalid-entry"
    assert info.value.detail == "invalid!"
    assert_snapshot("nltk_invalid_entries", render(info.value))


@pytest.mark.parametrize("entry", ["a/b", "..", "a..b", "-x", "pünkt", "$(rm)"])
def test_read_ids_rejects(tmp_path: Path, entry: str) -> None:
    path = tmp_path / "nltk.txt"
    path.write_text(f"punkt\n{entry}\n")
    with pytest.raises(NltkInvalidEntries):
        nltk.read_ids(path)


# --- download_corpora --------------------------------------------------------------------------------


def make_ctx(
    tmp_path: Path, *, nltk_installed: bool = True, nltk_txt: str | None = "tinycorpus\n", index: str = ""
) -> BuildContext:
    build = tmp_path / "build"
    site = build / ".heroku" / "python" / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    if nltk_installed:
        (site / "nltk-3.10.4.dist-info").mkdir()
    if nltk_txt is not None:
        (build / "nltk.txt").write_text(nltk_txt)
    return BuildContext(
        build_dir=build,
        cache_dir=tmp_path / "cache",
        env_dir=None,
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars={"NLTK_INDEX_URL": index} if index else {},
        environ={},
        app_dir=build,
    )


def fake_python(ctx: BuildContext, script: str) -> None:
    """bin/python that runs `script` (sh) instead of the driver; "$@" ends with the driver's args."""
    path = ctx.python_home / "bin" / "python"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


ENV = {"PATH": "/usr/bin:/bin"}


def download(ctx: BuildContext, tmp_path: Path) -> tuple[list[environment.EnvVar], BuildReport]:
    report = BuildReport(tmp_path / "r.json")
    return nltk.download_corpora(ctx, report, ENV), report


def test_not_installed_is_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path, nltk_installed=False)
    env, report = download(ctx, tmp_path)
    assert env == []
    assert report.data == {}
    assert capsys.readouterr().out == ""


def test_no_nltk_txt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env, report = download(make_ctx(tmp_path, nltk_txt=None), tmp_path)
    assert env == []
    assert report.data == {"nltk_downloader": "skipped-no-nltk-file"}
    assert "no nltk.txt" in capsys.readouterr().out


def test_empty_nltk_txt(tmp_path: Path) -> None:
    env, report = download(make_ctx(tmp_path, nltk_txt="# nothing yet\n"), tmp_path)
    assert env == []
    assert report.data == {"nltk_downloader": "skipped-empty-nltk-file"}


def test_download_passes_dir_index_and_missing_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = make_ctx(tmp_path, nltk_txt="tinycorpus\ntinystop\n", index="http://mirror.invalid/index.xml")
    cached = nltk.data_dir(ctx) / "corpora" / "tinystop"
    cached.mkdir(parents=True)
    # $1=-I $2=-c $3=driver, then download dir, index URL, ids.
    fake_python(ctx, 'shift 3; echo "dir=$1 index=$2"; shift 2; echo "ids=$*"; echo "   "')
    env, report = download(ctx, tmp_path)
    assert env == [environment.set_("NLTK_DATA", "{home}/.heroku/python/nltk_data")]
    assert report.data["nltk_downloader"] == "enabled"
    assert isinstance(report.data["nltk_downloader_duration"], float)
    assert capsys.readouterr().out.splitlines() == [
        "-----> Downloading NLTK data: tinycorpus",
        f"       dir={nltk.data_dir(ctx)} index=http://mirror.invalid/index.xml",
        "       ids=tinycorpus",
    ]


def test_everything_cached_skips_the_download(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ctx = make_ctx(tmp_path)
    (nltk.data_dir(ctx) / "corpora").mkdir(parents=True)
    (nltk.data_dir(ctx) / "corpora" / "tinycorpus.zip").write_bytes(b"")
    fake_python(ctx, "echo must not run; exit 1")
    env, report = download(ctx, tmp_path)
    assert env == nltk.runtime_env()
    assert report.data == {"nltk_downloader": "cached"}
    assert capsys.readouterr().out == "-----> Using cached NLTK data: tinycorpus\n"


def test_invalid_entries_fail_before_running(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, nltk_txt="invalid!\n")
    fake_python(ctx, "echo must not run; exit 1")
    with pytest.raises(NltkInvalidEntries):
        download(ctx, tmp_path)


def test_failed_packages_are_named(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, nltk_txt="tinycorpus nosuch\n")
    fake_python(
        ctx,
        "echo \"nosuch: Package 'nosuch' not found in index\"; echo 'nltk-driver: failed: nosuch'; exit 1",
    )
    with pytest.raises(NltkDownloadFailed) as info:
        download(ctx, tmp_path)
    assert info.value.reason == "nltk::download-failed"
    assert info.value.detail == "nosuch"
    assert_snapshot("nltk_download_failed", render(info.value))


def test_driver_crash_fails_for_all_requested(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, nltk_txt="a b\n")
    fake_python(ctx, "exit 139")
    with pytest.raises(NltkDownloadFailed) as info:
        download(ctx, tmp_path)
    assert info.value.detail == "a, b"


def test_index_refused(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, index="file:///srv/index.xml")
    fake_python(ctx, "echo 'x: Security Violation'; echo 'nltk-driver: index refused'; exit 2")
    with pytest.raises(NltkIndexRefused) as info:
        download(ctx, tmp_path)
    assert info.value.reason == "nltk::index-refused"
    assert_snapshot("nltk_index_refused", render(info.value))


def test_not_importable(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    fake_python(ctx, 'echo "nltk-driver: cannot import nltk: ImportError: no regex"; exit 3')
    with pytest.raises(NltkNotImportable) as info:
        download(ctx, tmp_path)
    assert "ImportError: no regex" in info.value.body
    assert_snapshot("nltk_not_importable", render(info.value))


def test_runtime_env_renders_for_dynos_and_later_buildpacks() -> None:
    assert 'export NLTK_DATA="$HOME/.heroku/python/nltk_data"' in environment.render_profile(
        nltk.runtime_env()
    )
    assert 'export NLTK_DATA="/app/.heroku/python/nltk_data"' in environment.render_export(nltk.runtime_env())
