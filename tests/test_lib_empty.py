"""Empty and degenerate shapes, for every public function against PyTorch: a batch of 0,
0 channels (batched and unbatched), and adaptive pooling to an output size of 0.

The rule (the docstrings of ``pooling_lib.functional`` state it):

* whatever PyTorch computes, we compute too: same shape, strides and values, and the same
  gradient where PyTorch's backward pass runs;
* where PyTorch rejects the input, we raise ``ValueError`` naming the input's shape, except
  that adaptive pooling and ``max_unpool2d`` accept 0 channels batched or not (PyTorch's
  ``adaptive_max_pool*`` accepts them only unbatched, the others always);
* a backward pass through an empty output returns a zero gradient of the input's shape
  (the output does not depend on the input), for max and average pooling alike, where
  PyTorch's adaptive backward passes raise "Expected grad_output to have non-zero size".
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from lib_calls import CALLS

import pooling_lib.functional as P

ZERO_OUTPUT = {  # adaptive pooling to an output size of 0 (dims, call)
    "adaptive_max_pool1d": (1, lambda m, x: m.adaptive_max_pool1d(x, 0, return_indices=True)),
    "adaptive_max_pool2d": (2, lambda m, x: m.adaptive_max_pool2d(x, (0, 2), True)),
    "adaptive_avg_pool1d": (1, lambda m, x: m.adaptive_avg_pool1d(x, 0)),
    "adaptive_avg_pool2d": (2, lambda m, x: m.adaptive_avg_pool2d(x, (2, 0))),
}
CASES = [(name, case) for name in sorted(CALLS) for case in ("N=0", "C=0", "unbatched C=0")]
CASES += [(name, "output size 0") for name in sorted(ZERO_OUTPUT)]


def _input(case: str, dims: int) -> torch.Tensor:
    spatial = (5,) * dims
    shape = {
        "N=0": (0, 3, *spatial),
        "C=0": (2, 0, *spatial),
        "unbatched C=0": (0, *spatial),
        "output size 0": (2, 3, *spatial),
    }[case]
    return torch.randn(shape, dtype=torch.float64)


def _run(fn, x: torch.Tensor):
    """Outputs, and the gradient of their sum (or the exception of the backward pass)."""
    leaf = x.clone().requires_grad_()
    out = fn(leaf)
    out = out if isinstance(out, tuple) else (out,)
    try:
        (grad,) = torch.autograd.grad(out[0].sum(), leaf)
    except RuntimeError as error:
        grad = error
    return out, grad


@pytest.mark.parametrize(("name", "case"), CASES)
def test_empty_shapes_against_pytorch(name, case):
    dims, call = ZERO_OUTPUT[name] if case == "output size 0" else CALLS[name]
    x = _input(case, dims)
    try:
        theirs = _run(lambda t: call(F, t), x)
    except RuntimeError:
        theirs = None
    accepted_here = name.startswith(("adaptive", "max_unpool")) and "C=0" in case
    if theirs is None and not accepted_here:
        with pytest.raises(ValueError, match=r"shape \("):
            call(P, x)
        return
    out, grad = _run(lambda t: call(P, t), x)
    assert isinstance(grad, torch.Tensor)
    assert grad.shape == x.shape and not grad.any()
    if theirs is None:
        return
    t_out, t_grad = theirs
    for a, b in zip(out, t_out, strict=True):
        assert (a.shape, a.dtype, a.stride()) == (b.shape, b.dtype, b.stride())
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    if isinstance(t_grad, torch.Tensor):
        torch.testing.assert_close(grad, t_grad, rtol=0, atol=0)
    else:
        assert "non-zero size" in str(t_grad)  # the only backward error we do not copy
