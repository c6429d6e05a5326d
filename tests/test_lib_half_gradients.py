"""float16/bfloat16 gradients of adaptive average pooling are summed in float32 and rounded
once; PyTorch rounds every addition, so a gradient that adds up past 2048 saturates there
(2048 + 1 rounds back to 2048 in float16). pooling_lib deliberately differs (issue 11)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import pooling_lib as P


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_upsampling_gradient_does_not_saturate(dtype):
    x = torch.ones(1, 1, 1, 1, dtype=dtype, requires_grad=True)
    (ours,) = torch.autograd.grad(P.adaptive_avg_pool2d(x, 64).sum(), x)
    (theirs,) = torch.autograd.grad(F.adaptive_avg_pool2d(x, 64).sum(), x)
    assert ours.item() == 4096.0  # 64 * 64 outputs, each passing 1
    assert theirs.item() < 4096.0  # PyTorch's rounding per addition
    line = torch.ones(1, 1, dtype=dtype, requires_grad=True)
    (ours,) = torch.autograd.grad(P.adaptive_avg_pool1d(line, 4096).sum(), line)
    assert ours.item() == 4096.0


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_gradient_is_the_float32_gradient_rounded_once(dtype):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 5, 7, generator=g).to(dtype)
    for size in [(9, 10), (3, 4), (20, 3)]:
        grad_output = torch.randn(2, 3, *size, generator=g).to(dtype)
        leaf = x.clone().requires_grad_()
        (ours,) = torch.autograd.grad(P.adaptive_avg_pool2d(leaf, size), leaf, grad_output)
        leaf32 = x.float().requires_grad_()
        (exact,) = torch.autograd.grad(
            F.adaptive_avg_pool2d(leaf32, size), leaf32, grad_output.float()
        )
        assert torch.equal(ours, exact.to(dtype)), size
