"""Memory format: every function's outputs, indices and gradients have PyTorch's strides,
for every layout of the input: contiguous, channels-last (``channels_last`` for 4-d inputs,
``channels_last_3d`` for 5-d ones, the same permutation for 3-d ones), channels-last with every
other channel (not dense), every other column (not dense), the last two dimensions swapped,
and the unbatched versions of each."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from lib_calls import CALLS, call
from strategies import examples

import pooling_lib.functional as P


def _channels_last(t: torch.Tensor) -> torch.Tensor:
    """``t`` with the channel dimension (1) stored last, as ``channels_last(_3d)`` do."""
    order = (0, *range(2, t.dim()), 1)
    inverse = [order.index(d) for d in range(t.dim())]
    return t.permute(order).contiguous().permute(inverse)


def _layout(name: str, base: torch.Tensor) -> torch.Tensor:
    """``base`` (shape ``(N, 2C, *spatial)``, spatial sizes doubled in the last dimension)
    stored as ``name``; the result has shape ``(N, C, *spatial)``."""
    x = base[:, : base.shape[1] // 2, ..., : base.shape[-1] // 2]
    if name == "contiguous":
        return x.contiguous()
    if name == "channels_last":
        memory = {4: torch.channels_last, 5: torch.channels_last_3d}.get(x.dim())
        y = x.contiguous(memory_format=memory) if memory else _channels_last(x)
        assert y.shape == x.shape
        return y
    if name == "channels_last_sliced":
        return _channels_last(base[..., : base.shape[-1] // 2])[:, ::2]
    if name == "sliced":
        return base[:, : base.shape[1] // 2, ..., ::2]
    if name == "transposed":
        return x.transpose(-1, -2).contiguous().transpose(-1, -2)
    raise AssertionError(name)


LAYOUTS = ("contiguous", "channels_last", "channels_last_sliced", "sliced", "transposed")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=examples(12), deadline=None)
@given(data=st.data())
def test_outputs_have_pytorchs_strides(name, layout, data):
    dims = CALLS[name][0]
    n = data.draw(st.integers(1, 2), label="N")
    c = data.draw(st.integers(1, 3), label="C")
    spatial = data.draw(st.lists(st.integers(4, 6), min_size=dims, max_size=dims), label="size")
    spatial[-1] *= 2
    base = torch.randn((n, 2 * c, *spatial), generator=torch.Generator().manual_seed(n + c))
    x = _layout(layout, base)
    batched = data.draw(st.booleans(), label="batched")
    if not batched:
        x = x[0]
    where = f"{name} on {layout}{'' if batched else ' unbatched'} {tuple(x.shape)} {x.stride()}"
    x = x.detach().requires_grad_()  # the same strides
    ours, theirs = call(name, P, x), call(name, F, x)
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape
        assert a.stride() == b.stride(), f"{where}: ours {a.stride()}, PyTorch's {b.stride()}"
        if not name.startswith("lp_pool"):  # lp_pool deliberately differs (see its docstring)
            torch.testing.assert_close(a, b, rtol=0, atol=0)
    (grad,), (t_grad,) = (torch.autograd.grad(out[0].sum(), x) for out in (ours, theirs))
    assert grad.stride() == t_grad.stride(), (
        f"{where}: gradient strides {grad.stride()}, PyTorch's {t_grad.stride()}"
    )
