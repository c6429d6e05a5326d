"""The explorer page plays without a kernel: checked in headless Chromium.

On ``notebooks/explorer.html`` of the built site:

* every self-contained animation (matplotlib's JavaScript player, one per explorer cell)
  shows a frame, and pressing its Play button changes the displayed frame;
* the ipywidgets HTML manager renders every saved widget view (no kernel anywhere), and
  the kernel-free players react in the browser: moving the slider or pressing Play
  changes the image shown, through the ``jslink`` to the ``Stack``.

Uses the ``site_url`` and ``browser`` fixtures of ``tests/conftest.py``.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest

PAGE = "notebooks/explorer.html"
# Explorer cells on the page whose settings give more than one output cell.
MIN_MOVING_ANIMATIONS = 10

_ANIMATIONS_JS = """
() => Array.from(document.querySelectorAll('div.animation')).map(div => {
  const slider = div.querySelector('input.anim-slider');
  const img = div.querySelector('img');
  return {frames: slider ? Number(slider.max) + 1 : 0,
          src: img ? img.getAttribute('src') || '' : '',
          width: img ? img.naturalWidth : 0};
})
"""

_PLAYERS_JS = """
() => Array.from(document.querySelectorAll('.pooling-kernel-free-player')).map(player => {
  const shown = Array.from(player.querySelectorAll('img'))
      .filter(img => img.offsetParent !== null && img.naturalWidth > 0);
  const slider = player.querySelector('.widget-slider .widget-readout, .widget-readout');
  return {shown: shown.map(img => img.getAttribute('src')),
          readout: slider ? slider.textContent.trim() : null};
})
"""


@pytest.fixture(scope="module")
def explorer_page(browser, site_url):
    """The explorer page, loaded with every widget view rendered; requests to any host
    other than 127.0.0.1 are blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    external: list[str] = []
    errors: list[str] = []

    def route(route_obj) -> None:
        url = route_obj.request.url
        host = urlsplit(url).hostname
        if url.startswith(("http:", "https:")) and host != "127.0.0.1":
            external.append(url)
            route_obj.abort("blockedbyclient")
        else:
            route_obj.continue_()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(urljoin(site_url, PAGE), wait_until="load")
    page.wait_for_load_state("networkidle")
    views = page.evaluate(
        "document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]')"
        ".length"
    )
    page.wait_for_function(
        f"() => document.querySelectorAll('.widget-subarea > *').length >= {views}",
        timeout=30_000,
    )
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('div.animation img'))"
        ".every(img => img.naturalWidth > 0)"
    )
    yield SimpleNamespace(page=page, views=views, external=external, errors=errors)
    context.close()


def test_page_loads_offline_without_errors(explorer_page):
    assert explorer_page.external == [], "the explorer page must need no other host"
    assert explorer_page.errors == []
    # Each explorer cell stores two widget views: the live explorer and the player.
    assert explorer_page.views >= 2 * MIN_MOVING_ANIMATIONS


def test_every_animation_plays(explorer_page):
    before = explorer_page.page.evaluate(_ANIMATIONS_JS)
    assert len(before) >= MIN_MOVING_ANIMATIONS
    assert all(a["width"] > 0 and a["src"].startswith("data:image/png") for a in before)
    moving = [k for k, a in enumerate(before) if a["frames"] > 1]
    assert len(moving) >= MIN_MOVING_ANIMATIONS
    buttons = explorer_page.page.locator("div.animation button[title='Play']")
    assert buttons.count() == len(before)
    for k in moving:
        buttons.nth(k).click()
    # frames change every 900 ms; give each animation time for at least one step
    explorer_page.page.wait_for_function(
        """(moving) => {
             const imgs = Array.from(document.querySelectorAll('div.animation img'));
             return moving.every(([k, src]) => imgs[k].getAttribute('src') !== src);
           }""",
        arg=[[k, before[k]["src"]] for k in moving],
        timeout=15_000,
    )
    after = explorer_page.page.evaluate(_ANIMATIONS_JS)
    for k in moving:
        assert after[k]["src"] != before[k]["src"], f"animation {k} did not change its frame"
    pauses = explorer_page.page.locator("div.animation button[title='Pause']")
    for k in moving:
        pauses.nth(k).click()


def test_live_explorer_is_rendered_from_its_saved_state(explorer_page):
    # The live explorer's controls and its last image come from the saved widget state.
    images = explorer_page.page.locator(".widget-image")
    assert images.count() >= 2 * MIN_MOVING_ANIMATIONS
    assert explorer_page.page.locator(".widget-toggle-buttons").count() >= MIN_MOVING_ANIMATIONS
    codes = explorer_page.page.locator(".widget-html code").all_text_contents()
    assert "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)" in codes


def test_kernel_free_player_slider_changes_the_image(explorer_page):
    players = explorer_page.page.evaluate(_PLAYERS_JS)
    assert len(players) >= MIN_MOVING_ANIMATIONS
    assert all(len(p["shown"]) == 1 for p in players), players  # the Stack shows one frame
    first = players[0]["shown"][0]
    handle = explorer_page.page.locator(".pooling-kernel-free-player .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")  # the slider is jslinked to Stack.selected_index
    explorer_page.page.wait_for_function(
        """(src) => {
             const player = document.querySelector('.pooling-kernel-free-player');
             const shown = Array.from(player.querySelectorAll('img'))
                 .filter(img => img.offsetParent !== null);
             return shown.length === 1 && shown[0].getAttribute('src') !== src;
           }""",
        arg=first,
        timeout=10_000,
    )
    assert explorer_page.page.evaluate(_PLAYERS_JS)[0]["readout"] == "1"


def test_kernel_free_player_play_button_steps_the_frames(explorer_page):
    players = explorer_page.page.evaluate(_PLAYERS_JS)
    index = 1  # the second explorer cell's player (2x2 average pooling)
    before = players[index]["shown"][0]
    play = explorer_page.page.locator(".pooling-kernel-free-player").nth(index)
    play.locator(".widget-play button").first.click()
    explorer_page.page.wait_for_function(
        """([index, src]) => {
             const player = document.querySelectorAll('.pooling-kernel-free-player')[index];
             const shown = Array.from(player.querySelectorAll('img'))
                 .filter(img => img.offsetParent !== null);
             return shown.length === 1 && shown[0].getAttribute('src') !== src;
           }""",
        arg=[index, before],
        timeout=10_000,
    )
