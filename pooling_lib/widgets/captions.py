"""The text lines every view shows beside its image, as HTML: the PyTorch call (selectable
in one click, to copy) and the check against the loop version, or the error message."""

from __future__ import annotations

import html

from pooling_lib.widgets.scene import Scene

__all__ = ["call_html", "status_html"]

OK = "#1a7f37"
BAD = "#c62828"


def call_html(scene: Scene, lead: str = "PyTorch:") -> str:
    """``PyTorch: <code>nn.MaxPool2d(kernel_size=3, stride=2, padding=1)</code>``."""
    return (
        f"<div style='font-size:90%'>{lead} <code style='user-select:all'>"
        f"{html.escape(scene.torch_call)}</code></div>"
    )


def status_html(scene: Scene) -> str:
    """The loop check (green ✓ or red mismatch), or pooling_lib's message in red."""
    if scene.error is not None:
        return (
            f"<div style='color:{BAD};font-size:90%'><b>Invalid setting:</b> "
            f"{html.escape(scene.error)}</div>"
        )
    colour = OK if scene.matches else BAD
    return f"<div style='color:{colour};font-size:90%'>{html.escape(scene.check)}</div>"
