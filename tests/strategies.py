"""Hypothesis strategies and helpers for the pooling_lib tests (tests/test_lib_*.py).

``LIB`` and ``LOOPS`` are the per-test settings of the lib tests: an example budget
(``examples(n)``) and health checks. Whether examples are random is left to the profile
loaded by the root ``conftest.py``: ``ci`` (the default) derandomizes every run, ``explore``
(``make test-explore``) draws random ones, five times as many. Under ``ci`` the whole lib
suite stays well under a minute on two busy cores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pooling_lib.shapes import check_pool_args, window_positions


def examples(n: int) -> int:
    """``n`` examples under the ``ci`` profile, scaled by the loaded profile's budget
    (``explore`` runs five times as many)."""
    scale = settings().max_examples / settings.get_profile("ci").max_examples
    return max(1, round(n * scale))


LIB = settings(
    max_examples=examples(40),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LOOPS = settings(
    max_examples=examples(20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
INT_VIEW = {
    torch.float16: torch.int16,
    torch.bfloat16: torch.int16,
    torch.float32: torch.int32,
    torch.float64: torch.int64,
}


@dataclass(frozen=True)
class PoolCase:
    """A valid pooling call: input shape and window arguments (tuples, one per dimension)."""

    shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool

    @property
    def dims(self) -> int:
        return len(self.kernel_size)

    def args(self):
        return self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode

    def has_empty_windows(self) -> bool:
        """Whether some window holds only padding (PyTorch's backward corrupts memory then)."""
        pa = check_pool_args(
            "test", *self.args()[:4], self.ceil_mode, dims=self.dims, input_shape=self.shape
        )
        spatial = self.shape[-self.dims :]
        return any(
            not any(0 <= t < n for t in window_positions(i, k, s, p, d))
            for n, out, k, s, p, d in zip(
                spatial,
                pa.output_size,
                pa.kernel_size,
                pa.stride,
                pa.padding,
                pa.dilation,
                strict=True,
            )
            for i in range(out)
        )


@st.composite
def pool_cases(
    draw,
    dims: int = 2,
    max_kernel: int = 3,
    max_dilation: int = 3,
    max_extra: int = 5,
    max_batch: int = 2,
    max_channels: int = 3,
    batched: bool | None = None,
    dilation: bool = True,
    kernel_fits: bool = False,
) -> PoolCase:
    """Random valid arguments: ``0 <= padding <= kernel_size // 2`` and output size >= 1
    (and, with ``kernel_fits``, an unpadded input at least the kernel: ``avg_pool3d``)."""
    k = tuple(draw(st.integers(1, max_kernel)) for _ in range(dims))
    s = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    p = tuple(draw(st.integers(0, ki // 2)) for ki in k)
    d = tuple(draw(st.integers(1, max_dilation if dilation else 1)) for _ in range(dims))
    ceil = draw(st.booleans())
    spatial = []
    for ki, pi, di in zip(k, p, d, strict=True):
        smallest = max(1, di * (ki - 1) + 1 - 2 * pi, ki if kernel_fits else 1)
        spatial.append(draw(st.integers(smallest, smallest + max_extra)))
    if batched is None:
        batched = draw(st.booleans())
    channels = draw(st.integers(1, max_channels))
    shape = (channels, *spatial)
    if batched:
        shape = (draw(st.integers(1, max_batch)), *shape)
    return PoolCase(shape, k, s, p, d, ceil)


@st.composite
def pool_inputs(draw, shape: tuple[int, ...], dtype: torch.dtype = torch.float32, specials=True):
    """A tensor of small integers (so ties are common), optionally with NaN, +-inf and -0.0."""
    n = 1
    for size in shape:
        n *= size
    values = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    x = torch.tensor(values, dtype=torch.float64).reshape(shape)
    if specials and n:
        kinds = draw(st.lists(st.sampled_from(["nan", "inf", "-inf", "-0"]), max_size=3))
        for kind in kinds:
            i = draw(st.integers(0, n - 1))
            x.view(-1)[i] = {
                "nan": float("nan"),
                "inf": float("inf"),
                "-inf": float("-inf"),
                "-0": -0.0,
            }[kind]
    return x.to(dtype)


def assert_same_bits(actual: torch.Tensor, expected: torch.Tensor, nan_bits: bool = False) -> None:
    """Shapes, dtypes and every bit equal (NaNs: same positions; bits only with ``nan_bits``)."""
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    if not actual.dtype.is_floating_point:
        assert torch.equal(actual, expected), (actual, expected)
        return
    nan_a, nan_e = torch.isnan(actual), torch.isnan(expected)
    assert torch.equal(nan_a, nan_e), f"NaN positions differ:\n{actual}\n{expected}"
    a = actual.contiguous().view(INT_VIEW[actual.dtype])
    e = expected.contiguous().view(INT_VIEW[expected.dtype])
    if not nan_bits:
        a, e = a[~nan_a.contiguous()], e[~nan_e.contiguous()]
    assert torch.equal(a, e), f"bits differ:\n{actual}\n{expected}"


_DRAWN = 4096


@st.composite
def adversarial_inputs(draw, shape: tuple[int, ...], dtype: torch.dtype, nan: bool = True):
    """Inputs made for ties: a few values (0, -0.0, +-1, +-inf, NaN, the dtype's extremes),
    repeated, so that most windows hold several maxima (for integer dtypes, the type's
    smallest value is the padding value of max pooling)."""
    n = 1
    for size in shape:
        n *= size
    if dtype.is_floating_point:
        pool = [0.0, -0.0, 1.0, -1.0, float("-inf"), float("inf")] + ([float("nan")] if nan else [])
    else:
        info = torch.iinfo(dtype)
        pool = [info.min, info.min + 1, 0, 1, info.max]
    weights = draw(st.lists(st.integers(0, 3), min_size=len(pool), max_size=len(pool)))
    choices = [v for v, w in zip(pool, weights, strict=True) for _ in range(w)] or pool[:1]
    # Hypothesis draws at most 8192 elements in one list: past ``_DRAWN`` elements the rest
    # repeat drawn ones, picked by a generator seeded from the draw (deterministic).
    drawn = min(n, _DRAWN)
    picks = draw(st.lists(st.integers(0, len(choices) - 1), min_size=drawn, max_size=drawn))
    if n > drawn:
        rng = random.Random(draw(st.integers(0, 2**32 - 1)))
        picks += [picks[rng.randrange(drawn)] for _ in range(n - drawn)]
    values = [choices[i] for i in picks]
    if dtype.is_floating_point:
        return torch.tensor(values, dtype=torch.float64).reshape(shape).to(dtype)
    return torch.tensor(values, dtype=dtype).reshape(shape)
