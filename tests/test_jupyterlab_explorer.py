"""The explorer as a live widget in JupyterLab, operated in headless Chromium.

The test starts ``jupyter lab`` on 127.0.0.1 with a token, opens a copy of the chapter
"The pooling explorer" (three cells appended: keep an explorer, set its kernel from Python,
print what the view set), runs every cell, and then:

* changes the mode of the chapter's first explorer in the page: the drawing changes and the
  Python side recomputes (the check line names ``avg_pool2d``, which only the kernel writes);
* sees the appended explorer drawn with the kernel Python set after it was displayed;
* changes that explorer's mode in the page and reads it back in Python.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "notebooks" / "explorer.ipynb"
APPENDED = [
    "ex = explore(torch.arange(9.0).reshape(3, 3), kernel_size=2, stride=1)\nex",
    "ex.kernel_size = (3, 3)",
    'print("view says mode =", ex.mode)',
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    nb = nbformat.read(CHAPTER, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nb.cells += [nbformat.v4.new_code_cell(source) for source in APPENDED]
    nbformat.write(nb, folder / "explorer.ipynb")
    token = secrets.token_hex(16)
    port = _free_port()
    jupyter = Path(sys.executable).parent / "jupyter"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(folder / ".config"),
        "JUPYTER_RUNTIME_DIR": str(folder / ".runtime"),
    }
    proc = subprocess.Popen(
        [
            str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
            "--ServerApp.open_browser=False", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}api/status?token={token}", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("jupyter lab exited: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("jupyter lab did not start within 60 s")
    try:
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder / ".config", ignore_errors=True)


def _accept_dialogs(page) -> None:
    """Accept a dialog JupyterLab opened (it may ask which kernel to start: the notebook's
    own Python 3 is preselected)."""
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if accept.count():
        accept.first.click()


def _wait_for(page, locator, seconds: float, retry=None) -> None:
    """Wait for ``locator``, accepting dialogs; ``retry()`` runs every 60 s meanwhile."""
    start = last = time.monotonic()
    while not locator.count():
        now = time.monotonic()
        if now - start > seconds:
            raise AssertionError(f"JupyterLab never showed {locator}")
        if retry is not None and now - last > 60:
            retry()
            last = now
        _accept_dialogs(page)
        page.wait_for_timeout(500)


def _nothing_ran(page) -> bool:
    return page.locator(".jp-InputPrompt", has_text="[1]").count() == 0


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def _show_every_control(explorer) -> None:
    """Open a focused explorer's "more settings" (the full explorer has none)."""
    more = explorer.locator("details.pe-more")
    if more.count() and more.get_attribute("open") is None:
        more.locator("summary").click()


def test_explorer_is_live_in_jupyterlab(lab, browser):
    url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    page.goto(f"{url}lab/tree/explorer.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    # the kernel is up once the status bar says so
    _wait_for(page, page.locator(".jp-StatusBar-TextItem", has_text="| Idle"), 120)
    _run_all(page)
    printed = page.locator(".jp-OutputArea-output", has_text="view says mode =")
    _wait_for(page, printed, 300, retry=lambda: _run_all(page) if _nothing_ran(page) else None)
    live = page.locator(".jp-OutputArea .pooling-explorer .pe-output")
    live.first.wait_for()
    first = page.locator(".jp-OutputArea .pooling-explorer", has=page.locator(".pe-output")).first
    first.scroll_into_view_if_needed()
    before = first.get_attribute("data-values")
    _show_every_control(first)
    first.locator("[name=mode]").select_option("avg")
    page.wait_for_function(
        "(el) => el.querySelector('.pe-python').textContent.includes('avg_pool2d')",
        arg=first.element_handle(),
    )
    assert first.get_attribute("data-values") != before
    assert "agree" in first.locator(".pe-python").text_content()

    # The appended explorer: Python set kernel_size = (3, 3) after displaying it.
    kept = page.locator(".jp-OutputArea .pooling-explorer", has=page.locator(".pe-output")).last
    kept.scroll_into_view_if_needed()
    assert kept.locator("[name=kernel_size-h]").input_value() == "3"
    assert kept.get_attribute("data-out-shape") == "[1,1]"  # 3x3 input, 3x3 kernel
    _show_every_control(kept)
    kept.locator("[name=mode]").select_option("lp")
    page.wait_for_function(
        "(el) => el.querySelector('.pe-python').textContent.includes('lp_pool2d')",
        arg=kept.element_handle(),
    )
    # Read the view's state back in Python: run the printing cell again.
    cell = page.locator(".jp-CodeCell", has_text='print("view says mode ="')
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    page.locator(".jp-OutputArea-output", has_text="view says mode = lp").wait_for()
    page.close()
