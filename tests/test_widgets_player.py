"""The kernel-free views: the precomputed Stack player and the self-contained animation."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
import textwrap

import ipywidgets as widgets
import pytest
import torch
from ipywidgets.widgets.widget_link import Link
from PIL import Image

from pooling_lib.animation import pooling_animation
from pooling_lib.widgets import KernelFreePlayer, PoolSettings
from pooling_lib.widgets.frames import frame_scenes

SEED_4x4 = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
TWO_CHANNELS = torch.cat((SEED_4x4, SEED_4x4 + 1), 1)


def frames_of(html: str) -> list[Image.Image]:
    data = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html.replace("\\\n", ""))
    return [Image.open(io.BytesIO(base64.b64decode(d))) for d in data]


def test_player_has_one_frame_per_channel_and_output_cell():
    settings = PoolSettings.create("max", 3, stride=2, padding=1)
    player = KernelFreePlayer(TWO_CHANNELS, settings)
    assert len(player.frames) == 2 * 2 * 2
    positions = [(s.channel, s.position) for s in player.scenes]
    assert positions == [(c, (i, j)) for c in (0, 1) for i in (0, 1) for j in (0, 1)]
    assert player.scenes[5].caption == "Y[1, 0, 1] = max(−∞, −∞, −∞, 2, 3, 4, 6, 7, 8) = 8"
    sizes = {Image.open(io.BytesIO(png)).size for png in player.frames}
    assert len(sizes) == 1, "frames of different sizes would make the player jump"
    assert len(set(player.frames)) == len(player.frames)
    assert [image.value for image in player.stack.children] == player.frames
    assert player.play.max == player.slider.max == 7


def test_player_is_wired_in_the_browser_with_jslink():
    player = KernelFreePlayer(SEED_4x4, PoolSettings.create("avg", 2))
    links = {(link.source, link.target) for link in player.links}
    assert ((player.play, "value"), (player.slider, "value")) in links
    assert ((player.slider, "value"), (player.stack, "selected_index")) in links
    assert all(isinstance(link, Link) for link in player.links)  # jslink, not observe
    assert isinstance(player.stack, widgets.Stack) and player.stack.selected_index == 0
    assert "nn.AvgPool2d(kernel_size=2)" in player.children[0].value


def test_invalid_setting_gives_one_frame_with_the_message():
    scenes = frame_scenes(SEED_4x4, PoolSettings.create("max", 3, padding=2))
    assert len(scenes) == 1 and "padding" in scenes[0].error


def test_frame_limit_and_channels():
    settings = PoolSettings.create("max", 1)
    with pytest.raises(ValueError, match="max_frames=16 is too small for 32 frames"):
        frame_scenes(torch.zeros(2, 4, 4), settings, max_frames=16)
    with pytest.raises(ValueError, match=r"channels must hold ints in range\(2\)"):
        frame_scenes(TWO_CHANNELS, settings, channels=[2])
    assert len(frame_scenes(TWO_CHANNELS, PoolSettings.create("max", 2), channels=[1])) == 4


def test_animation_is_self_contained_and_steps_every_window():
    html = pooling_animation(SEED_4x4, kernel_size=3, stride=2, padding=1).data
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "fa fa-" not in html  # no icon font needed
    assert 'title="Play"' in html and 'type="range"' in html
    assert "var frames = new Array(4);" in html
    images = frames_of(html)
    assert len(images) == 4
    assert len({image.size for image in images}) == 1
    assert len({image.tobytes() for image in images}) == 4  # every window step differs
    ids = set(re.findall(r'id="_anim_img(\w+)"', html))
    assert len(ids) == 1 and re.fullmatch(r"pool[0-9a-f]{12}n\d+", ids.pop())


def test_two_animations_never_share_an_id():
    a = pooling_animation(SEED_4x4, kernel_size=2).data
    b = pooling_animation(SEED_4x4, kernel_size=2).data
    id_a = re.search(r'id="_anim_img(\w+)"', a).group(1)
    id_b = re.search(r'id="_anim_img(\w+)"', b).group(1)
    assert id_a != id_b
    assert a.replace(id_a, "") == b.replace(id_b, "")


def test_animation_html_is_the_same_in_every_process():
    script = textwrap.dedent(
        """
        import hashlib, torch
        from pooling_lib.animation import pooling_animation
        x = torch.arange(16.0).reshape(4, 4)
        html = pooling_animation(x, mode="avg", kernel_size=3, stride=1, padding=1).data
        assert "var frames = new Array(16);" in html  # 4x4 windows, not an error frame
        print(hashlib.sha256(html.encode()).hexdigest())
        """
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout and len(runs[0].stdout.strip()) == 64
