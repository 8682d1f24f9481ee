"""NLTK data downloads, end to end: the real bin/compile, NLTK's real downloader, and a tiny
corpus index served on 127.0.0.1 (tests/support/nltk_corpus.py) named by NLTK_INDEX_URL."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import serve_directory
from tests.support.app_runner import FIXTURES_DIR, BuildResult, report
from tests.support.build_output import error_block
from tests.support.nltk_corpus import DEFAULT_PACKAGES, make_corpus_index
from tests.support.snapshots import assert_snapshot

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of index.xml; a second index, refused.xml, lists a package on another loopback host."""
    root = tmp_path_factory.mktemp("nltk-index")
    with serve_directory(root) as url:
        make_corpus_index(root, url)
        other = root / "other"
        make_corpus_index(
            other,
            url.replace("127.0.0.1", "127.0.0.2") + "/other",
            {"tinycorpus": DEFAULT_PACKAGES["tinycorpus"]},
        )
        shutil.copy(other / "index.xml", root / "refused.xml")
        yield f"{url}/index.xml"


def assert_clean_failure(result: BuildResult) -> None:
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "Internal error" not in result.output
    assert "Retry?" not in result.output


def test_corpora_downloaded_and_found_at_runtime(
    build_app: Build, package_index: str, corpus_index: str
) -> None:
    config = {"PIP_INDEX_URL": package_index, "NLTK_INDEX_URL": corpus_index}
    result = build_app(
        "nltk_dependency_and_nltk_txt", config=config, boot=True, later_script='echo "later: $NLTK_DATA"'
    )
    out = result.output
    assert result.returncode == 0, out
    assert "-----> Downloading NLTK data: tinycorpus, tinystop" in out
    assert "       Downloading tinycorpus" in out
    assert corpus_index not in out  # a config var's value is never printed
    data = result.build_dir / ".heroku" / "python" / "nltk_data" / "corpora"
    assert (data / "tinycorpus" / "words.txt").read_text() == "alpha\nbeta\n"
    assert (data / "tinystop" / "english").is_file()
    assert (
        out.index("Installing dependencies") < out.index("Downloading NLTK data") < out.index("Saving cache")
    )
    profile = (result.build_dir / ".profile.d" / "python.sh").read_text()
    assert 'export NLTK_DATA="$HOME/.heroku/python/nltk_data"' in profile
    assert result.later_output == "later: /app/.heroku/python/nltk_data\n", result.later_output
    assert result.http_status == 200, (result.http_error, result.server_output)
    assert "NLTK_DATA=/app/.heroku/python/nltk_data" in (result.http_body or "")
    assert "words=['alpha', 'beta']" in (result.http_body or "")
    assert report(result)["nltk_downloader"] == "enabled"

    warm = build_app("nltk_dependency_and_nltk_txt", config=config)
    assert warm.returncode == 0, warm.output
    assert "-----> Using cached NLTK data: tinycorpus, tinystop" in warm.output
    assert report(warm)["nltk_downloader"] == "cached"
    assert (warm.build_dir / ".heroku" / "python" / "nltk_data" / "corpora" / "tinycorpus").is_dir()


def test_nltk_without_nltk_txt(build_app: Build, package_index: str) -> None:
    result = build_app("nltk_dependency_only", config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 0, result.output
    assert "-----> Skipping NLTK data download: nltk is installed, but there is no nltk.txt" in result.output
    assert report(result)["nltk_downloader"] == "skipped-no-nltk-file"
    assert "NLTK_DATA" not in (result.build_dir / ".profile.d" / "python.sh").read_text()


def test_nltk_txt_without_nltk(build_app: Build, package_index: str) -> None:
    result = build_app("nltk_txt_but_no_dependency", config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 0, result.output
    assert "NLTK" not in result.output
    assert "nltk_downloader" not in report(result)


def test_invalid_nltk_txt(build_app: Build, package_index: str) -> None:
    result = build_app("nltk_txt_invalid", config={"PIP_INDEX_URL": package_index})
    assert_clean_failure(result)
    assert_snapshot("nltk_invalid_entries_build", error_block(result.output))
    assert report(result)["failure_reason"] == "nltk::invalid-entry"


def test_unknown_package_fails_without_prompt(
    build_app: Build, package_index: str, corpus_index: str, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    shutil.copytree(FIXTURES_DIR / "nltk_dependency_and_nltk_txt", app)
    (app / "nltk.txt").write_text("tinycorpus\nnosuchpackage\n")
    config = {"PIP_INDEX_URL": package_index, "NLTK_INDEX_URL": corpus_index}
    result = build_app(app, config=config, timeout=600)
    assert_clean_failure(result)
    assert "Package 'nosuchpackage' not found in index" in result.output
    assert_snapshot("nltk_download_failed_build", error_block(result.output))
    facts = report(result)
    assert facts["failure_reason"] == "nltk::download-failed"
    assert facts["failure_detail"] == "nosuchpackage"


def test_package_on_another_private_host_is_refused(
    build_app: Build, package_index: str, corpus_index: str
) -> None:
    config = {
        "PIP_INDEX_URL": package_index,
        "NLTK_INDEX_URL": corpus_index.replace("index.xml", "refused.xml"),
    }
    result = build_app("nltk_dependency_and_nltk_txt", config=config, timeout=600)
    assert_clean_failure(result)
    assert "Security Violation" in result.output
    assert_snapshot("nltk_index_refused_build", error_block(result.output))
    assert report(result)["failure_reason"] == "nltk::index-refused"
