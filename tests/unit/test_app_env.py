"""Tests for lib/python_buildpack/app_env.py: .profile.d, export, editable relocation, /app link.

The real /app is never touched: contexts use a temporary app_dir, and the profile script's
hard-coded /app is pointed at a temporary directory before bash sources it.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from python_buildpack import app_env, environment
from python_buildpack.context import BuildContext
from python_buildpack.environment import set_

SITE = Path("lib") / "python3.13" / "site-packages"


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    build = tmp_path / "build_abc123"
    build.mkdir()
    buildpack = tmp_path / "buildpack"
    (buildpack / "vendor" / "profile.d").mkdir(parents=True)
    base = BuildContext(
        build_dir=build,
        cache_dir=tmp_path / "cache",
        env_dir=None,
        buildpack_dir=buildpack,
        stack="heroku-24",
        arch="amd64",
        config_vars={},
        environ={},
    )
    return dataclasses.replace(base, app_dir=tmp_path / "app")


def bash(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, check=False)


def source_profile(text: str, home: Path, fake_app: Path, tmp_path: Path) -> dict[str, str]:
    """Source the script as a dyno would (HOME = the app dir) and return the resulting env."""
    script = tmp_path / "profile.sh"
    script.write_text(text.replace("/app", str(fake_app)))
    result = bash(f'source "{script}" && env -0', {"HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return dict(item.split("=", 1) for item in result.stdout.split("\0") if item)


# --- profile_script --------------------------------------------------------------------------


def test_profile_script_is_valid_bash(ctx: BuildContext, tmp_path: Path) -> None:
    text = app_env.profile_script(ctx, environment.runtime_env(), [])
    assert text.startswith("# Written by the Python buildpack")
    script = tmp_path / "python.sh"
    script.write_text(text)
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_sourcing_profile_sets_runtime_env(ctx: BuildContext, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    fake_app = tmp_path / "fake_app"
    text = app_env.profile_script(
        ctx, environment.runtime_env([set_("PIP_DISABLE_PIP_VERSION_CHECK", "1")]), []
    )
    env = source_profile(text, home, fake_app, tmp_path)
    python = f"{home}/.heroku/python"
    assert env["PATH"] == f"{python}/bin:/usr/bin:/bin"
    assert env["PYTHONHOME"] == python
    assert env["PYTHONUNBUFFERED"] == "true"
    assert env["LIBRARY_PATH"] == f"{python}/lib"
    assert env["LD_LIBRARY_PATH"] == f"{python}/lib"
    assert env["PKG_CONFIG_PATH"] == f"{python}/lib/pkgconfig"
    assert env["LANG"] == "en_US.UTF-8"
    assert env["PYTHONPATH"] == str(home)
    assert env["PIP_DISABLE_PIP_VERSION_CHECK"] == "1"
    # No helper variables leak into the dyno's environment.
    assert not any(name.startswith("_python") for name in env)


def test_profile_links_app_python_when_home_is_elsewhere(ctx: BuildContext, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".heroku" / "python").mkdir(parents=True)
    fake_app = tmp_path / "fake_app"
    source_profile(app_env.profile_script(ctx, environment.runtime_env(), []), home, fake_app, tmp_path)
    link = fake_app / ".heroku" / "python"
    assert link.is_symlink()
    assert link.readlink() == home / ".heroku" / "python"


def test_profile_keeps_existing_app_python(ctx: BuildContext, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    fake_app = tmp_path / "fake_app"
    (fake_app / ".heroku" / "python").mkdir(parents=True)
    source_profile(app_env.profile_script(ctx, environment.runtime_env(), []), home, fake_app, tmp_path)
    assert not (fake_app / ".heroku" / "python").is_symlink()


def test_profile_does_not_link_when_home_is_app(ctx: BuildContext, tmp_path: Path) -> None:
    fake_app = tmp_path / "fake_app"
    fake_app.mkdir()
    source_profile(app_env.profile_script(ctx, environment.runtime_env(), []), fake_app, fake_app, tmp_path)
    assert not (fake_app / ".heroku").exists()


def test_profile_rewrites_editable_paths(ctx: BuildContext, tmp_path: Path) -> None:
    build_site = ctx.build_python_home / SITE
    build_site.mkdir(parents=True)
    pth = build_site / "__editable__.mypkg-0.1.pth"
    finder = build_site / "__editable___mypkg_0_1_finder.py"
    pth.write_text(f"{ctx.build_dir}/src\n")
    finder.write_text(f"MAPPING = {{'mypkg': '{ctx.build_dir}/src/mypkg'}}\n")
    text = app_env.profile_script(ctx, environment.runtime_env(), [pth, finder])

    # On the dyno the slug is unpacked in HOME.
    home = tmp_path / "home"
    dyno_site = home / ".heroku" / "python" / SITE
    dyno_site.mkdir(parents=True)
    (dyno_site / pth.name).write_text(pth.read_text())
    (dyno_site / finder.name).write_text(finder.read_text())
    (dyno_site / "unrelated.pth").write_text(f"{ctx.build_dir}/other\n")
    source_profile(text, home, tmp_path / "fake_app", tmp_path)

    assert (dyno_site / pth.name).read_text() == f"{home}/src\n"
    assert (dyno_site / finder.name).read_text() == f"MAPPING = {{'mypkg': '{home}/src/mypkg'}}\n"
    # Only the listed files are rewritten.
    assert (dyno_site / "unrelated.pth").read_text() == f"{ctx.build_dir}/other\n"


def test_profile_with_editables_is_idempotent_and_tolerates_missing_files(
    ctx: BuildContext, tmp_path: Path
) -> None:
    pth = ctx.build_python_home / SITE / "__editable__.gone-1.pth"
    text = app_env.profile_script(ctx, environment.runtime_env(), [pth])
    home = tmp_path / "home"
    home.mkdir()
    source_profile(text, home, tmp_path / "fake_app", tmp_path)
    source_profile(text, home, tmp_path / "fake_app", tmp_path)


def test_profile_quotes_awkward_build_dirs(ctx: BuildContext, tmp_path: Path) -> None:
    odd = tmp_path / "it's a $dir"
    odd.mkdir()
    odd_ctx = dataclasses.replace(ctx, build_dir=odd)
    pth = odd_ctx.build_python_home / SITE / "x.pth"
    text = app_env.profile_script(odd_ctx, environment.runtime_env(), [pth])
    script = tmp_path / "p.sh"
    script.write_text(text)
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    assert f"_python_build_dir='{tmp_path}/it'\\''s a $dir'" in text


# --- relocate_editables ----------------------------------------------------------------------


def test_relocate_editables(ctx: BuildContext) -> None:
    site = ctx.build_python_home / SITE
    site.mkdir(parents=True)
    runtime_path = f"{ctx.build_python_home}/src/vcs-pkg"
    (site / "vcs_pkg.egg-link").write_text(f"{runtime_path}\n.\n")
    (site / "__editable__.vcs_pkg-1.pth").write_text(f"{runtime_path}\n")
    (site / "__editable___vcs_pkg_1_finder.py").write_text(f"P = '{runtime_path}'\n")
    (site / "__editable__.local-1.pth").write_text(f"{ctx.build_dir}/local\n")
    (site / "RECORD").write_text(f"{runtime_path}\n")  # not an editable marker file

    remaining = app_env.relocate_editables(ctx, site)

    relocated = f"{ctx.python_home}/src/vcs-pkg"
    assert (site / "vcs_pkg.egg-link").read_text() == f"{relocated}\n.\n"
    assert (site / "__editable__.vcs_pkg-1.pth").read_text() == f"{relocated}\n"
    assert (site / "__editable___vcs_pkg_1_finder.py").read_text() == f"P = '{relocated}'\n"
    assert (site / "RECORD").read_text() == f"{runtime_path}\n"
    # Local-path editables still name the build dir: they are rewritten at dyno boot.
    assert remaining == [site / "__editable__.local-1.pth"]
    assert (site / "__editable__.local-1.pth").read_text() == f"{ctx.build_dir}/local\n"
    # No temp files left.
    assert not list(site.glob(".*"))


def test_relocate_editables_skips_unreadable_files(ctx: BuildContext) -> None:
    site = ctx.build_python_home / SITE
    site.mkdir(parents=True)
    (site / "binary.pth").write_bytes(b"\xff\xfe" + str(ctx.build_dir).encode())
    (site / "dir.pth").mkdir()
    assert app_env.relocate_editables(ctx, site) == []


def test_relocate_editables_missing_site_packages(ctx: BuildContext) -> None:
    assert app_env.relocate_editables(ctx, ctx.build_python_home / SITE) == []


def test_relocate_editables_noop_when_building_in_app_dir(ctx: BuildContext) -> None:
    in_app = dataclasses.replace(ctx, app_dir=ctx.build_dir)
    site = in_app.build_python_home / SITE
    site.mkdir(parents=True)
    (site / "a.pth").write_text(f"{in_app.build_dir}/src\n")
    assert app_env.relocate_editables(in_app, site) == []
    assert (site / "a.pth").read_text() == f"{in_app.build_dir}/src\n"


# --- write -----------------------------------------------------------------------------------


def test_write(ctx: BuildContext) -> None:
    vendor = ctx.buildpack_dir / "vendor" / "profile.d"
    (vendor / "WEB_CONCURRENCY.sh").write_text("echo web\n")
    (vendor / "python.gunicorn.sh").write_text("echo gunicorn\n")
    (vendor / "README").write_text("not a script\n")
    changes = environment.runtime_env()

    app_env.write(ctx, changes, changes, [])

    profile_d = ctx.build_dir / ".profile.d"
    assert sorted(p.name for p in profile_d.iterdir()) == [
        "WEB_CONCURRENCY.sh",
        "python.gunicorn.sh",
        "python.sh",
    ]
    assert (profile_d / "python.sh").read_text() == app_env.profile_script(ctx, changes, [])
    assert (profile_d / "WEB_CONCURRENCY.sh").read_text() == "echo web\n"
    assert (ctx.buildpack_dir / "export").read_text() == environment.render_export(changes)


def test_write_overwrites_previous_files(ctx: BuildContext) -> None:
    profile_d = ctx.build_dir / ".profile.d"
    profile_d.mkdir()
    (profile_d / "python.sh").write_text("old")
    (profile_d / "app-own.sh").write_text("kept")
    app_env.write(ctx, environment.runtime_env(), environment.runtime_env(), [])
    assert (profile_d / "python.sh").read_text() != "old"
    assert (profile_d / "app-own.sh").read_text() == "kept"


# --- link_app_python -------------------------------------------------------------------------


def test_link_app_python(ctx: BuildContext) -> None:
    app_env.link_app_python(ctx)
    assert ctx.python_home.is_symlink()
    assert ctx.python_home.readlink() == ctx.build_python_home


@pytest.mark.parametrize("existing", ["symlink", "dangling", "file", "dir"])
def test_link_app_python_replaces_existing(ctx: BuildContext, tmp_path: Path, existing: str) -> None:
    link = ctx.python_home
    link.parent.mkdir(parents=True)
    if existing == "symlink":
        (tmp_path / "elsewhere").mkdir()
        link.symlink_to(tmp_path / "elsewhere")
    elif existing == "dangling":
        link.symlink_to(tmp_path / "missing")
    elif existing == "file":
        link.write_text("")
    else:
        (link / "bin").mkdir(parents=True)
        (link / "bin" / "python").write_text("")
    app_env.link_app_python(ctx)
    assert link.readlink() == ctx.build_python_home
    # Replacing a symlink never deletes what it pointed at.
    if existing == "symlink":
        assert (tmp_path / "elsewhere").is_dir()


def test_link_app_python_resolves_through_to_the_runtime(ctx: BuildContext) -> None:
    (ctx.build_python_home / "bin").mkdir(parents=True)
    (ctx.build_python_home / "bin" / "python").write_text("runtime")
    app_env.link_app_python(ctx)
    assert (ctx.python_home / "bin" / "python").read_text() == "runtime"


def test_link_app_python_noop_when_building_in_app_dir(ctx: BuildContext) -> None:
    in_app = dataclasses.replace(ctx, app_dir=ctx.build_dir)
    app_env.link_app_python(in_app)
    assert not (ctx.build_dir / ".heroku").exists()
