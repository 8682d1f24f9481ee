"""bin/pre_compile and bin/post_compile hooks, end to end with the real bin/compile."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.app_runner import BuildResult, report
from tests.support.build_output import error_block
from tests.support.snapshots import assert_snapshot

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]


def test_pre_compile_passes_then_post_compile_fails(build_app: Build, package_index: str) -> None:
    config = {
        "PIP_INDEX_URL": package_index,
        "SOME_APP_CONFIG_VAR": "1",
        "PATH": "/invalid-path",
        "LD_LIBRARY_PATH": "/invalid-path",
        "LIBRARY_PATH": "/invalid-path",
        "PYTHONHOME": "/invalid-path",
    }
    result = build_app("hooks_pre_compile_pass_post_compile_fail", config=config)
    out = result.output
    assert result.returncode == 1, out
    # pre_compile ran first (its requirements.txt selected pip), with the config var but not
    # the denied ones, and without the hook file being executable in the repository.
    assert out.index("-----> Running bin/pre_compile hook") < out.index("-----> Using Python")
    assert "pre_compile: SOME_APP_CONFIG_VAR=1" in out
    assert "pre_compile: PATH=/app/.heroku/python/bin:" in out
    assert "/invalid-path" not in out
    assert "pre_compile: PYTHONHOME=unset" in out
    assert "pre_compile: cwd=/tmp/build_" in out
    # post_compile ran after the dependencies, with the runtime on PATH.
    assert out.index("Installing dependencies") < out.index("-----> Running bin/post_compile hook")
    assert "post_compile: python 3.12.1 with six" in out
    assert "       post_compile: something went wrong" in out
    assert "Traceback" not in out
    block = error_block(out)
    assert "bin/post_compile hook failed (exit status 3)" in block
    assert_snapshot("hooks_post_compile_failed", block)
    facts = report(result)
    assert facts["failure_reason"] == "hooks::post_compile"
    assert facts["failure_detail"] == "exit status 3"
    assert facts["pre_compile_hook"] is True
    assert facts["post_compile_hook"] is True
    assert isinstance(facts["pre_compile_hook_duration"], float)


def test_pre_compile_failure_stops_the_build_early(build_app: Build) -> None:
    result = build_app("hooks_pre_compile_fail")
    out = result.output
    assert result.returncode == 1, out
    assert "       pre_compile: cannot continue" in out
    assert "Using Python" not in out
    assert "Traceback" not in out
    assert_snapshot("hooks_pre_compile_failed", error_block(out))
    facts = report(result)
    assert facts["failure_reason"] == "hooks::pre_compile"
    assert facts["failure_detail"] == "exit status 7"


def test_post_compile_deleting_the_cache_dir_keeps_bookkeeping(build_app: Build, package_index: str) -> None:
    config = {"PIP_INDEX_URL": package_index}
    first = build_app("hooks_delete_cache_dir", config=config)
    assert first.returncode == 0, first.output
    assert "post_compile: removed the cache directory" in first.output
    assert "removed the cache directory; the next build starts without a cache" in first.output
    assert "Traceback" not in first.output
    facts = report(first)
    assert facts["post_compile_hook"] is True
    assert facts["pre_compile_hook"] is False
    assert "failure_reason" not in facts
    # The cache saved after the hook is complete: the next build reuses it.
    second = build_app("hooks_delete_cache_dir", config=config)
    assert second.returncode == 0, second.output
    assert report(second)["cache_status"] == "reused"


def test_apps_without_hooks_record_false(build_app: Build, package_index: str) -> None:
    result = build_app("pip_flask_gunicorn", config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 0, result.output
    assert "hook" not in result.output
    facts = report(result)
    assert facts["pre_compile_hook"] is False
    assert facts["post_compile_hook"] is False
