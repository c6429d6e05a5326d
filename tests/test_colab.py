"""One setting says where the book lives: ``repository:`` (url, branch) in ``_config.yml``.
Jupyter Book builds the Binder and Colab launch buttons from it, and every chapter's Colab
install cell is written from it by ``tools/colab_cell.py`` (checked here)."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import colab_cell
import nbformat
import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def test_every_chapter_has_the_colab_cell_of_the_configured_repository():
    assert colab_cell.main([]) == 0  # prints which chapter differs
    for path in colab_cell.chapters():
        (cell,) = colab_cell.colab_cells(nbformat.read(path, as_version=4))
        assert "remove-cell" in cell.metadata["tags"], f"{path.name}: shown on the website"
        assert not cell.get("outputs"), f"{path.name}: the Colab cell prints nothing here"


def pip_lines(source: str) -> list[list[str]]:
    return [shlex.split(line.strip())[1:] for line in source.splitlines() if "%pip" in line]


def test_a_fork_gets_its_own_install_cell(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text(
        yaml.safe_dump(
            {"repository": {"url": "https://github.com/a-teacher/pooling/", "branch": "fall"}}
        )
    )
    url, branch = colab_cell.repository(config)
    assert (url, branch) == ("https://github.com/a-teacher/pooling", "fall")
    d2l, package = pip_lines(colab_cell.cell_source(url, branch))
    # d2l without its pins (numpy 1.23.5 does not install on Colab's Python 3.12+).
    assert d2l == ["install", "-q", "--no-deps", "d2l==1.0.3"]
    assert package[:2] == ["install", "-q"] and "--no-deps" not in package
    req = Requirement(package[2])
    assert req.url == "git+https://github.com/a-teacher/pooling.git@fall"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert req.name == project["name"]
    assert req.extras <= set(project["optional-dependencies"])
    assert "3.12" not in project["requires-python"], "Colab's Python must be allowed"


def test_bad_repository_setting_is_named(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: github.com/x/y\n")
    with pytest.raises(ValueError, match=r"repository.url='github.com/x/y' must be an https"):
        colab_cell.repository(config)


def test_launch_buttons_come_from_the_same_setting():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert set(config["repository"]) == {"url", "branch"}
    assert config["launch_buttons"]["colab_url"] and config["launch_buttons"]["binderhub_url"]
    assert "repository_url" not in (config.get("html") or {}), "one setting: `repository:`"
