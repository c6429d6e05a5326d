"""pooling_book.data: the generated shapes data set is seeded, labelled right and shiftable."""

import pytest
import torch

from pooling_book.data import SHAPE_CLASSES, make_shapes, render_shape


def test_shapes_and_dtypes():
    X, y = make_shapes(50, size=12, seed=3)
    assert X.shape == (50, 1, 12, 12) and X.dtype == torch.float32
    assert y.shape == (50,) and y.dtype == torch.int64
    assert 0 <= int(y.min()) and int(y.max()) < len(SHAPE_CLASSES)


def test_same_seed_same_data_other_seed_other_data():
    X1, y1 = make_shapes(40, seed=7)
    X2, y2 = make_shapes(40, seed=7)
    X3, _ = make_shapes(40, seed=8)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


def test_labels_match_the_drawn_shape():
    # Without noise and jitter each image is exactly its class's glyph at some brightness.
    X, y = make_shapes(60, seed=1, noise=0.0, jitter=0)
    for image, label in zip(X[:, 0], y, strict=True):
        drawn = image > 0
        matches = [
            any(
                torch.equal(drawn, render_shape(name, size=16, center=(8, 8), half=h) > 0)
                for h in (2, 3, 4)
            )
            for name in SHAPE_CLASSES
        ]
        assert matches.index(True) == int(label) and sum(matches) == 1


def test_shift_moves_shapes_and_keeps_noise():
    X0, y0 = make_shapes(30, seed=5, noise=0.0)
    Xs, ys = make_shapes(30, seed=5, noise=0.0, shift=(1, -2))
    assert torch.equal(y0, ys)
    # jitter=1 and half<=4 keep every shape at least 2 pixels from the border, so the shift
    # by (1, -2) loses nothing and equals rolling the canvas.
    assert torch.equal(Xs, torch.roll(X0, shifts=(1, -2), dims=(2, 3)))
    N0, _ = make_shapes(30, seed=5, noise=0.3)
    Ns, _ = make_shapes(30, seed=5, noise=0.3, shift=(0, 2))
    noise0 = N0 - X0
    noise_shifted = Ns - torch.roll(X0, shifts=(0, 2), dims=(2, 3))
    assert torch.allclose(noise0, noise_shifted, atol=1e-6, rtol=0)
    assert noise0.std() > 0.25


def test_render_clips_at_border():
    img = render_shape("horizontal", size=10, center=(0, 9), half=3)
    assert img[0].tolist() == [0] * 6 + [1.0] * 4 and img[1:].sum() == 0


@pytest.mark.parametrize(
    "kwargs, err, words",
    [
        ({"n": 0}, ValueError, "n must be an int >= 1, got 0"),
        ({"n": 5, "size": 8}, ValueError, "size must be an int >= 9, got 8"),
        ({"n": 5, "seed": 1.5}, TypeError, "seed must be an int"),
        ({"n": 5, "jitter": 4}, ValueError, r"jitter must be an int .* = 3 .* got 4"),
        ({"n": 5, "shift": (1,)}, TypeError, r"shift must be a pair of ints"),
        ({"n": 5, "noise": -0.1}, ValueError, "noise must be a number >= 0, got -0.1"),
    ],
)
def test_make_shapes_bad_arguments(kwargs, err, words):
    with pytest.raises(err, match=words):
        make_shapes(**kwargs)


def test_render_bad_arguments():
    with pytest.raises(ValueError, match="name must be one of"):
        render_shape("triangle")
    with pytest.raises(TypeError, match="center must be a pair of ints"):
        render_shape("plus", center=(1.0, 2))
    with pytest.raises(ValueError, match="half must be an int >= 1, got 0"):
        render_shape("plus", half=0)
