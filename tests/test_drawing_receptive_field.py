"""pooling_book.drawing.receptive_field: the recurrences against the gradient of a real network."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from pooling_book.drawing.receptive_field import ReceptiveField, Window, receptive_fields, window_of


def _ones_net(windows: list[Window], pool_kinds: list[bool]) -> nn.Sequential:
    """Convolutions with all-one weights, or average pools, sliding along the height only."""
    layers: list[nn.Module] = []
    for w, is_pool in zip(windows, pool_kinds, strict=True):
        k, s, p, d = (w.kernel_size, 1), (w.stride, 1), (w.padding, 0), (w.dilation, 1)
        if is_pool and w.dilation == 1 and 2 * w.padding <= w.kernel_size:
            layers.append(nn.AvgPool2d(k, s, p))
        else:
            conv = nn.Conv2d(1, 1, k, s, p, d, bias=False)
            nn.init.ones_(conv.weight)
            layers.append(conv)
    return nn.Sequential(*layers)


def _support_rows(net: nn.Module, size: int, index: int) -> list[int]:
    x = torch.ones(1, 1, size, 1, dtype=torch.float64, requires_grad=True)
    y = net.double()(x)
    y[0, 0, index, 0].backward()
    return torch.nonzero(x.grad[0, 0, :, 0]).flatten().tolist()


windows = st.builds(
    Window,
    kernel_size=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 1),
    dilation=st.integers(1, 2),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(windows, st.booleans()), min_size=1, max_size=4))
def test_span_matches_gradient_support(stack):
    ws = [w for w, _ in stack]
    size = 256
    net = _ones_net(ws, [p for _, p in stack])
    rf = receptive_fields(net)[-1]
    with torch.no_grad():
        n_out = net.double()(torch.zeros(1, 1, size, 1, dtype=torch.float64)).shape[-2]
    for index in (0, n_out // 2, n_out - 1):
        rows = _support_rows(net, size, index)
        lo, hi = rf.span(index)
        # Every input row that affects the unit lies inside its receptive field ...
        assert all(lo <= r <= hi for r in rows)
        if 0 <= lo and hi <= size - 1:
            # ... a field inside the image is reached at both ends ...
            assert (rows[0], rows[-1]) == (lo, hi)
            # ... and without holes (no dilation, stride <= kernel) it is reached everywhere.
            if all(w.dilation == 1 and w.stride <= w.kernel_size for w in ws):
                assert rows == list(range(int(lo), int(hi) + 1))


def test_known_stack_lenet_like():
    net = nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )
    rfs = receptive_fields(net)
    assert [r.size for r in rfs] == [3, 4, 8, 10]
    assert [r.jump for r in rfs] == [1, 2, 2, 4]
    assert rfs[-1].span(0) == (-3.0, 6.0)
    assert rfs[-1].span(2) == (5.0, 14.0)


def test_dilation_and_same_padding():
    conv = nn.Conv2d(1, 1, 3, padding="same", dilation=2)
    assert window_of(conv) == Window(3, 1, 2, 2)
    assert receptive_fields([conv]) == [ReceptiveField(size=5, jump=1, start=0.0)]


def test_axis_and_tuple_kernels():
    pool = nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))
    assert window_of(pool, axis=0) == Window(2, 2, 0, 1)
    assert window_of(pool, axis=1) == Window(3, 3, 1, 1)


def test_pointwise_layers_are_skipped_and_empty_stack():
    assert window_of(nn.ReLU()) is None
    assert receptive_fields([nn.ReLU(), nn.Sigmoid()]) == []


@pytest.mark.parametrize(
    "bad, err, words",
    [
        (nn.Flatten(), TypeError, "sliding-window"),
        (nn.Linear(3, 3), TypeError, "Linear"),
        ("conv", TypeError, "nn.Module or a Window"),
    ],
)
def test_bad_layers(bad, err, words):
    with pytest.raises(err, match=words):
        receptive_fields([bad])


def test_bad_window_and_axis():
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        Window(3, stride=0)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        Window(2.5)
    with pytest.raises(ValueError, match="axis must be 0"):
        window_of(nn.MaxPool2d(2), axis=2)
