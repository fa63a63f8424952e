"""A non-editable install carries the templates and the checks' assets, and `digest` runs
from any folder.

An editable install (what `make test` uses) finds templates/ in the checkout and hides
a wheel without them, so this builds the wheel from a copy of the sources, installs it
(not editable) into a folder of its own and runs the sample organisation's job from
another folder. No network: no build isolation, no dependencies fetched (they come from
the test environment).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging
STEP_SECONDS = 120  # a deadline per step for a busy machine; it takes a few seconds


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=STEP_SECONDS, **kwargs)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n" \
                                 f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the build leaves nothing in the checkout)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("digest", "templates"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "--quiet", "-w", str(out), str(src)])
    (built,) = out.glob("cop_digest-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed (not editable) into a folder of its own: its site-packages."""
    site = tmp_path_factory.mktemp("site")
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
          "--target", str(site), str(wheel)])
    return site


def _env(site: Path) -> dict[str, str]:
    """The installed copy first on the path, ahead of the checkout's editable install."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DIGEST_CONFIG")}
    env["PYTHONPATH"] = str(site)
    return env


def test_the_wheel_holds_every_package_the_templates_and_the_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "digest").rglob("__init__.py")}
    assert packages - names == set(), "a subpackage is missing from [tool.setuptools] packages"
    templates = {f"digest/templates/{p.name}" for p in (ROOT / "templates").iterdir()
                 if p.is_file()}
    assert {"digest/templates/digest.mjml.j2", "digest/templates/inline.css"} <= templates
    assert templates - names == set()
    assets = {f"digest/assets/{p.name}" for p in (ROOT / "digest" / "assets").iterdir()}
    assert {"digest/assets/caniemail_check.mjs", "digest/assets/caniemail-baseline.json"} \
        <= assets
    assert assets - names == set()
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata


def test_the_installed_digest_finds_its_files_in_the_package(installed, tmp_path):
    where = _run([sys.executable, "-c",
                  "import digest, digest.packaged as p; print(digest.__file__); "
                  "print(p.templates()); print(p.asset('caniemail-baseline.json'))"],
                 env=_env(installed), cwd=tmp_path).stdout.split("\n")
    assert all(Path(line).is_relative_to(installed) for line in where[:3]), where
    assert Path(where[2]).is_file()


def test_the_installed_command_runs_the_job_from_another_folder(installed, tmp_path):
    org = tmp_path / "org"
    shutil.copytree(ROOT / "feeds", org / "feeds")
    shutil.copy(ROOT / "digest.toml", org / "digest.toml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = installed / "bin" / "digest"
    assert command.is_file(), "the console script was not installed"
    done = _run([str(command), "--config", str(org / "digest.toml"), "run",
                 "--period", "2026-10"], env=_env(installed), cwd=elsewhere)
    html = org / "out" / "2026-10" / "digest.html"
    assert html.is_file(), done.stdout
    assert "Example Housing Trust" in html.read_text(encoding="utf-8")
    assert list((org / "out" / "outbox" / "2026-10").glob("*.eml"))
    assert list(elsewhere.iterdir()) == [], "the job wrote into the folder it was run from"
