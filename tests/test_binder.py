"""binder/ (the Binder, Thebe and "launch" environment) stays consistent with the project.

* binder/requirements.txt installs what a reader needs to run the chapters and the
  exercises: the package's dependencies (pyproject.toml, with its ``notebooks`` extra),
  d2l, the kernel and otter-grader, each listed or pulled in by a listed package; and not
  the project's test and build tools.
* Every package it lists has requirements.txt's pin, except torch and torchvision, which
  are the CPU builds (``==<root pin>+cpu``) taken from PyTorch's CPU index, added with
  ``--extra-index-url`` so that PyPI stays the main index.
* torchvision's version is the one released with torch's (0.(minor + 15).patch for 2.x).
* binder/postBuild installs the book's package (the repository itself) into the environment.
* binder/runtime.txt asks for a Python version that pyproject.toml allows and
  requirements.txt is made for (3.11).
* _config.yml turns on the Binder/Colab/Thebe launch buttons without making Thebe load
  anything before the reader clicks.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CPU_PACKAGES = ("torch", "torchvision")


def parse_requirements(path: Path) -> tuple[dict[str, Requirement], list[list[str]]]:
    """Requirements (by canonical name) and option lines (as argument lists) of a file."""
    reqs: dict[str, Requirement] = {}
    options: list[list[str]] = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            options.append(shlex.split(line))
            continue
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name not in reqs, f"{path.name}:{number}: {req.name} is listed twice"
        reqs[name] = req
    return reqs, options


def exact_pin(req: Requirement) -> Version:
    specs = list(req.specifier)
    assert len(specs) == 1 and specs[0].operator == "==", f"{req} is not pinned with =="
    return Version(specs[0].version)


@pytest.fixture(scope="module")
def root_reqs() -> dict[str, Requirement]:
    return parse_requirements(ROOT / "requirements.txt")[0]


@pytest.fixture(scope="module")
def binder() -> tuple[dict[str, Requirement], list[list[str]]]:
    return parse_requirements(BINDER / "requirements.txt")


# Test and build tools of the project: a reader on Binder needs none of them.
TOOLS = ("jupyter-book", "pytest", "nbval", "hypothesis", "ruff", "playwright")
# What a reader needs besides the package's own dependencies.
READER = ("d2l", "ipykernel", "otter-grader")


def closure(names: set[str]) -> set[str]:
    """``names`` and every distribution they require, transitively (this venv's metadata,
    which has requirements.txt's pins, the same as Binder's)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def reader_needs() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = [*project["dependencies"], *project["optional-dependencies"]["notebooks"]]
    return {canonicalize_name(Requirement(r).name) for r in needed} | set(READER)


def test_binder_installs_what_a_reader_needs(binder):
    binder_reqs, _ = binder
    installed = closure(set(binder_reqs))
    missing = sorted(reader_needs() - installed)
    assert not missing, f"binder/requirements.txt installs neither directly nor via d2l: {missing}"


def test_binder_installs_no_test_or_build_tools(binder):
    binder_reqs, _ = binder
    tools = sorted(set(binder_reqs) & {canonicalize_name(t) for t in TOOLS})
    assert not tools, f"binder/requirements.txt installs the project's tools {tools}"


def test_same_pins_except_cpu_torch(root_reqs, binder):
    binder_reqs, _ = binder
    extra = sorted(set(binder_reqs) - set(root_reqs))
    assert not extra, f"in binder/requirements.txt but not pinned in requirements.txt: {extra}"
    for name, other in binder_reqs.items():
        if name in CPU_PACKAGES:
            continue
        root = root_reqs[name]
        assert other.specifier == root.specifier, (
            f"{name}: binder pins {other.specifier or '(nothing)'}, "
            f"requirements.txt pins {root.specifier or '(nothing)'}"
        )
        assert other.extras == root.extras and other.marker == root.marker, name


@pytest.mark.parametrize("name", CPU_PACKAGES)
def test_torch_is_the_cpu_build_of_the_root_pin(root_reqs, binder, name):
    binder_reqs, _ = binder
    root_version = exact_pin(root_reqs[name])
    binder_version = exact_pin(binder_reqs[name])
    assert binder_version.local == "cpu", f"binder {name} {binder_version} is not a +cpu build"
    assert binder_version.public == root_version.public, (
        f"binder {name} {binder_version} is not the CPU build of {root_version}"
    )
    assert binder_version in SpecifierSet(f"=={root_version.public}+cpu")


def test_cpu_index_is_extra_not_main(binder):
    _, options = binder
    flat = [arg for line in options for arg in line]
    assert ["--extra-index-url", CPU_INDEX] in options, (
        f"binder/requirements.txt must add `--extra-index-url {CPU_INDEX}`"
    )
    assert "--index-url" not in flat and "-i" not in flat, (
        "--index-url would replace PyPI, where every other package comes from"
    )


def test_torchvision_matches_torch(root_reqs):
    torch_v = exact_pin(root_reqs["torch"])
    vision_v = exact_pin(root_reqs["torchvision"])
    # torchvision 0.15 shipped with torch 2.0, and each torch 2.x minor with 0.(x + 15).
    assert torch_v.major == 2
    expected = (0, torch_v.minor + 15, torch_v.micro)
    assert vision_v.release == expected, (
        f"torch {torch_v} ships with torchvision {'.'.join(map(str, expected))}, not {vision_v}"
    )


def test_post_build_installs_pooling_lib():
    post = BINDER / "postBuild"
    assert post.is_file() and os.access(post, os.X_OK), "binder/postBuild must be executable"
    text = post.read_text()
    assert text.startswith("#!"), "postBuild needs a shebang line"
    assert "set -e" in text or "set -euo pipefail" in text, "postBuild must stop on errors"
    commands = [line.strip() for line in text.splitlines() if not line.lstrip().startswith("#")]
    installs = [c for c in commands if re.search(r"\bpip install\b", c)]
    assert any(shlex.split(c)[-1] == "." for c in installs), (
        "postBuild must `pip install` the repository root (pooling_lib)"
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "pooling-lib"


def test_runtime_matches_requires_python():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt must read python-X.Y, got {runtime!r}"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert Version(match.group(1)) in SpecifierSet(requires), (
        f"Binder's Python {match.group(1)} does not satisfy requires-python {requires}"
    )


def test_launch_buttons_and_lazy_thebe():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    launch = config["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert launch["thebe"] is True
    assert config["repository"]["url"].startswith("https://github.com/")
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    thebe = sphinx_config.get("thebe_config", {})
    # always_load would put thebe's CDN script on every page, before any click.
    assert not thebe.get("always_load", False)
    theme = sphinx_config.get("html_theme_options", {})
    assert theme.get("use_download_button", True) is True
