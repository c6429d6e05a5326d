"""A procedurally generated image data set of simple shapes, so that no chapter downloads data.

Each image is a ``size x size`` grey-scale canvas with one stroke-drawn shape on it plus Gaussian
noise. The shape's class, half-size, position and brightness and the noise are drawn from a
seeded :class:`torch.Generator`, so the same arguments always give the same tensors. The
``shift`` argument redraws exactly the same images with every shape moved by ``(dy, dx)``
pixels (the noise stays in place), which is how the book measures robustness to translation.
"""

from __future__ import annotations

import torch

__all__ = ["SHAPE_CLASSES", "render_shape", "make_shapes"]

#: Class names, in label order: ``y == i`` means ``SHAPE_CLASSES[i]``.
SHAPE_CLASSES: tuple[str, ...] = ("horizontal", "vertical", "plus", "cross", "square", "corner")

_MIN_SIZE = 9
_MIN_HALF, _MAX_HALF = 2, 4


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _stroke_offsets(name: str, half: int) -> list[tuple[int, int]]:
    """Pixel offsets ``(dy, dx)`` from the centre that the shape ``name`` paints."""
    t = range(-half, half + 1)
    if name == "horizontal":
        return [(0, i) for i in t]
    if name == "vertical":
        return [(i, 0) for i in t]
    if name == "plus":
        return [(0, i) for i in t] + [(i, 0) for i in t]
    if name == "cross":
        return [(i, i) for i in t] + [(i, -i) for i in t]
    if name == "square":
        edges = [(-half, i) for i in t] + [(half, i) for i in t]
        return edges + [(i, -half) for i in t] + [(i, half) for i in t]
    if name == "corner":  # an "L": left edge and bottom edge
        return [(i, -half) for i in t] + [(half, i) for i in t]
    raise ValueError(f"render_shape: name must be one of {SHAPE_CLASSES}, got {name!r}")


def render_shape(
    name: str,
    *,
    size: int = 16,
    center: tuple[int, int] = (8, 8),
    half: int = 3,
    intensity: float = 1.0,
) -> torch.Tensor:
    """Draw one noise-free shape on an empty canvas.

    Args:
        name: one of :data:`SHAPE_CLASSES`.
        size: side length of the square canvas, at least 9.
        center: ``(row, column)`` of the shape's centre; parts that fall off the canvas are
            clipped, so a shape may be partly (or wholly) outside.
        half: half the side length of the shape, in pixels (the shape spans ``2*half+1``).
        intensity: value written on the stroke pixels (the background is 0).

    Shape:
        Output: ``(size, size)``, dtype ``float32``.
    """
    if not _is_int(size) or size < _MIN_SIZE:
        raise ValueError(f"render_shape: size must be an int >= {_MIN_SIZE}, got {size!r}")
    if (
        not isinstance(center, (tuple, list))
        or len(center) != 2
        or not all(_is_int(c) for c in center)
    ):
        raise TypeError(f"render_shape: center must be a pair of ints (row, col), got {center!r}")
    if not _is_int(half) or half < 1:
        raise ValueError(f"render_shape: half must be an int >= 1, got {half!r}")
    if isinstance(intensity, bool) or not isinstance(intensity, (int, float)):
        raise TypeError(f"render_shape: intensity must be a number, got {intensity!r}")
    image = torch.zeros(size, size)
    cy, cx = center
    for dy, dx in _stroke_offsets(name, half):
        r, c = cy + dy, cx + dx
        if 0 <= r < size and 0 <= c < size:
            image[r, c] = intensity
    return image


def make_shapes(
    n: int,
    *,
    size: int = 16,
    seed: int = 0,
    jitter: int = 1,
    shift: tuple[int, int] = (0, 0),
    noise: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate ``n`` labelled images of the shapes in :data:`SHAPE_CLASSES`.

    Image ``k`` has class ``y[k]`` (uniform over the classes), a half-size uniform in
    ``{2, 3, 4}``, its centre at ``size // 2 + u`` in each axis with ``u`` uniform in
    ``[-jitter, jitter]``, a stroke brightness uniform in ``[0.6, 1.0]``, plus Gaussian noise
    of standard deviation ``noise`` on every pixel. All of these come from
    ``torch.Generator().manual_seed(seed)``, drawn in the same order whatever ``shift`` is, so
    ``make_shapes(n, seed=s, shift=(dy, dx))`` shows the same shapes as
    ``make_shapes(n, seed=s)``, each moved ``dy`` rows down and ``dx`` columns right (clipped at
    the border), on the same noise.

    Args:
        n: number of images, at least 1.
        size: side length of each square image, at least 9.
        seed: seed of the generator.
        jitter: largest random offset of a shape's centre from the canvas centre, in pixels;
            ``0 <= jitter <= (size - 1) // 2 - 4`` so that an unshifted shape always fits.
        shift: ``(dy, dx)`` added to every shape's centre after the random draws.
        noise: standard deviation of the additive Gaussian noise, ``>= 0``.

    Shape:
        Output: ``X`` of shape ``(n, 1, size, size)`` (``float32``) and ``y`` of shape ``(n,)``
        (``int64``, values in ``[0, len(SHAPE_CLASSES))``).
    """
    if not _is_int(n) or n < 1:
        raise ValueError(f"make_shapes: n must be an int >= 1, got {n!r}")
    if not _is_int(size) or size < _MIN_SIZE:
        raise ValueError(f"make_shapes: size must be an int >= {_MIN_SIZE}, got {size!r}")
    if not _is_int(seed):
        raise TypeError(f"make_shapes: seed must be an int, got {seed!r}")
    max_jitter = (size - 1) // 2 - _MAX_HALF
    if not _is_int(jitter) or not 0 <= jitter <= max_jitter:
        raise ValueError(
            f"make_shapes: jitter must be an int with 0 <= jitter <= (size - 1) // 2 - {_MAX_HALF}"
            f" = {max_jitter} (so that every unshifted shape fits on the canvas), got {jitter!r}"
        )
    if (
        not isinstance(shift, (tuple, list))
        or len(shift) != 2
        or not all(_is_int(s) for s in shift)
    ):
        raise TypeError(f"make_shapes: shift must be a pair of ints (dy, dx), got {shift!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise ValueError(f"make_shapes: noise must be a number >= 0, got {noise!r}")

    g = torch.Generator().manual_seed(seed)
    y = torch.randint(len(SHAPE_CLASSES), (n,), generator=g)
    halves = torch.randint(_MIN_HALF, _MAX_HALF + 1, (n,), generator=g)
    offsets = torch.randint(-jitter, jitter + 1, (n, 2), generator=g)
    intensity = 0.6 + 0.4 * torch.rand(n, generator=g)
    X = noise * torch.randn(n, 1, size, size, generator=g)
    dy, dx = shift
    for k in range(n):
        center = (size // 2 + int(offsets[k, 0]) + dy, size // 2 + int(offsets[k, 1]) + dx)
        X[k, 0] += render_shape(
            SHAPE_CLASSES[int(y[k])],
            size=size,
            center=center,
            half=int(halves[k]),
            intensity=float(intensity[k]),
        )
    return X, y
