"""pooling_lib.generalized_mean: GeM is the power mean of each channel, between the average (p = 1)
and the maximum (p -> inf), equal to the Lp power sum divided by the window size, stable for
large p, learnable, and strict about its arguments."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import pooling_lib
from pooling_lib.generalized_mean import GeM, gem
from tests.strategies import LIB


def _positive(seed, shape=(2, 3, 4, 5)):
    return (
        torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) + 0.1
    )


@LIB
@given(st.integers(0, 2**16), st.sampled_from([0.5, 1.0, 2.0, 3.0, 7.5]))
def test_gem_is_the_power_mean_and_the_lp_power_sum_over_the_window_size(seed, p):
    x = _positive(seed)
    power_mean = x.pow(p).mean(dim=(-2, -1), keepdim=True).pow(1 / p)
    torch.testing.assert_close(gem(x, p), power_mean, rtol=1e-12, atol=0)
    lp = pooling_lib.lp_pool2d(x, p, (4, 5)) / 20 ** (1 / p)
    torch.testing.assert_close(gem(x, p), lp, rtol=1e-10, atol=0)


def test_p_one_is_average_pooling_and_large_p_tends_to_max_pooling():
    x = _positive(1)
    torch.testing.assert_close(gem(x, 1.0), F.adaptive_avg_pool2d(x, 1), rtol=1e-12, atol=0)
    gaps = [(gem(x, p) - F.adaptive_max_pool2d(x, 1)).abs().max().item() for p in (4, 32, 256)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.02
    # no overflow where the plain power sum overflows float32
    big = torch.full((1, 1, 3, 3), 100.0)
    assert torch.isinf(big.pow(64.0).mean())
    assert torch.equal(gem(big, 64.0), torch.full((1, 1, 1, 1), 100.0))


def test_gem_lies_between_the_average_and_the_maximum_and_grows_with_p():
    x = _positive(2)
    values = [gem(x, p) for p in (1.0, 2.0, 4.0, 8.0)]
    assert all((a <= b + 1e-12).all() for a, b in zip(values, values[1:], strict=False))
    assert (values[-1] <= F.adaptive_max_pool2d(x, 1) + 1e-12).all()


def test_inputs_below_eps_are_clamped_and_3d_inputs_work():
    x = torch.tensor([[[-1.0, 0.0], [0.0, 4.0]]])
    assert gem(x, 1.0, eps=1.0).item() == pytest.approx((1 + 1 + 1 + 4) / 4)
    assert gem(x, 1.0).shape == (1, 1, 1)


def test_p_per_channel_and_its_gradient():
    x = _positive(3, (2, 3, 4, 4)).float()
    pool = GeM(per_channel=True, num_channels=3)
    assert pool.p.shape == (3,) and "3 values" in repr(pool)
    out = pool(x)
    for c in range(3):
        torch.testing.assert_close(out[:, c], gem(x[:, c : c + 1], 3.0)[:, 0])
    out.sum().backward()
    assert pool.p.grad.shape == (3,) and (pool.p.grad > 0).all()  # the power mean grows with p


def test_learning_p_moves_it_towards_the_target_pooling():
    """Fitted to global max pooling's output, p grows; to the average, it falls."""
    x = _positive(4).float()
    for target, direction in ((F.adaptive_max_pool2d(x, 1), 1), (F.adaptive_avg_pool2d(x, 1), -1)):
        pool = GeM(p=3.0)
        opt = torch.optim.SGD(pool.parameters(), lr=5.0)
        for _ in range(20):
            opt.zero_grad()
            F.mse_loss(pool(x), target).backward()
            opt.step()
        assert direction * (pool.p.item() - 3.0) > 0.1


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: gem(torch.ones(2, 2), 3.0), ValueError, r"input.shape=\(2, 2\)"),
        (lambda: gem(torch.ones(1, 2, 2, 2, dtype=torch.long), 3.0), TypeError, "input.dtype"),
        (lambda: gem(torch.ones(1, 2, 2, 2), 0.0), ValueError, "p=0.0 must be positive"),
        (lambda: gem(torch.ones(1, 2, 2, 2), float("inf")), ValueError, "p=inf"),
        (lambda: gem(torch.ones(1, 2, 2, 2), "3"), TypeError, "p='3'"),
        (lambda: gem(torch.ones(1, 2, 2, 2), torch.ones(3)), ValueError, "3 entries"),
        (lambda: gem(torch.ones(1, 2, 2, 2), 3.0, eps=0), ValueError, "eps=0"),
        (lambda: GeM(p=-1.0), ValueError, "p=-1.0"),
        (lambda: GeM(per_channel=True), TypeError, "num_channels=None"),
        (lambda: GeM(num_channels=4), ValueError, "only used with per_channel"),
    ],
)
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()
