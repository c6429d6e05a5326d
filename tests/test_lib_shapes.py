"""Output sizes and argument checks (pooling_lib.shapes) against PyTorch's own rules.

One test per invalid-input rule asserts the error type and that the message names the
parameter and its value; where PyTorch has the rule too, the test checks that PyTorch also
rejects the call. A property test draws arguments that are often invalid and checks that
pooling_lib raises exactly when PyTorch does, and otherwise agrees on the output shape.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from strategies import LIB

import pooling_lib as P
import pooling_lib.nn as pnn
from pooling_lib import loops
from pooling_lib.shapes import PoolArgs, check_pool_args, pooled_size

X = torch.zeros(1, 1, 8, 8)


def test_pooled_size_examples():
    assert pooled_size(4, 3, 2, 1) == 2
    assert pooled_size(28, 2, 2, 0) == 14
    assert pooled_size(112, 3, 2, 1) == 56
    assert pooled_size(5, 2, 2, 1, ceil_mode=True) == 3  # a 4th window would start in padding
    assert pooled_size(5, 2, 2, 0, ceil_mode=True) == 3  # last window hangs over the edge
    assert pooled_size(4, 2, 1, 1, dilation=2) == 4
    assert pooled_size(4, 3, 1, 1, dilation=2) == 2
    assert pooled_size(8, 9, 1, 0) == 0  # too big: check_pool_args rejects it
    with pytest.raises(ValueError, match="pooled_size: stride=0"):
        pooled_size(8, 2, 0, 0)


def test_check_pool_args_normalizes():
    args = check_pool_args("max_pool2d", 3, None, 1, input_shape=(2, 3, 8, 7))
    assert args == PoolArgs((3, 3), (3, 3), (1, 1), (1, 1), False, (3, 3))
    args = check_pool_args("max_pool2d", (2, 3), [], (0, 1), (1, 2), True)
    assert args.stride == (2, 3) and args.dilation == (1, 2) and args.output_size is None
    assert check_pool_args("max_pool1d", [4], 2, dims=1).kernel_size == (4,)


def _raises_torch(fn, *args, **kwargs) -> bool:
    try:
        fn(*args, **kwargs)
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError):
        return True
    return False


# (label, pooling_lib call, the same call in torch or None, error type, text in the message)
INVALID = [
    ("kernel 0", lambda m: m.max_pool2d(X, 0), True, ValueError, "kernel_size=0"),
    (
        "kernel negative",
        lambda m: m.max_pool2d(X, (2, -1)),
        True,
        ValueError,
        "kernel_size=(2, -1)",
    ),
    ("kernel float", lambda m: m.max_pool2d(X, 2.0), True, TypeError, "kernel_size=2.0"),
    ("kernel bool", lambda m: m.max_pool2d(X, True), True, TypeError, "kernel_size=True"),
    (
        "kernel length",
        lambda m: m.max_pool2d(X, (2, 2, 2)),
        True,
        ValueError,
        "kernel_size=(2, 2, 2)",
    ),
    ("stride 0", lambda m: m.max_pool2d(X, 2, 0), True, ValueError, "stride=0"),
    ("stride negative", lambda m: m.avg_pool2d(X, 2, (1, -1)), True, ValueError, "stride=(1, -1)"),
    ("stride float", lambda m: m.avg_pool2d(X, 2, 1.5), True, TypeError, "stride=1.5"),
    ("padding negative", lambda m: m.max_pool2d(X, 3, 1, -1), True, ValueError, "padding=-1"),
    ("padding > k//2", lambda m: m.max_pool2d(X, 3, 1, 2), True, ValueError, "padding=2"),
    (
        "padding > k//2 avg",
        lambda m: m.avg_pool2d(X, (3, 4), 1, (2, 0)),
        True,
        ValueError,
        "padding=(2, 0)",
    ),
    ("padding, dilation", lambda m: m.max_pool2d(X, 3, 1, 2, 2), True, ValueError, "padding=2"),
    ("dilation 0", lambda m: m.max_pool2d(X, 2, 1, 0, 0), True, ValueError, "dilation=0"),
    ("dilation float", lambda m: m.max_pool2d(X, 2, 1, 0, 1.0), True, TypeError, "dilation=1.0"),
    ("output < 1", lambda m: m.max_pool2d(X, 9), True, ValueError, "output size would be (0, 0)"),
    (
        "dilated window",
        lambda m: m.max_pool2d(X, 5, 1, 0, 2),
        True,
        ValueError,
        "kernel_size=(5, 5)",
    ),
    (
        "output < 1 avg",
        lambda m: m.avg_pool2d(X, (9, 2)),
        True,
        ValueError,
        "output size would be (0, 4)",
    ),
    ("2-D input", lambda m: m.max_pool2d(X[0, 0], 2), True, ValueError, "input of shape (8, 8)"),
    (
        "5-D input",
        lambda m: m.avg_pool2d(X[None], 2),
        True,
        ValueError,
        "input of shape (1, 1, 1, 8, 8)",
    ),
    (
        "empty channels",
        lambda m: m.max_pool2d(X[:, :0], 2),
        True,
        ValueError,
        "input of shape (1, 0, 8, 8)",
    ),
    (
        "empty height",
        lambda m: m.avg_pool2d(X[:, :, :0], 2),
        True,
        ValueError,
        "input of shape (1, 1, 0, 8)",
    ),
    (
        "not a tensor",
        lambda m: m.max_pool2d([[1.0]], 2),
        True,
        TypeError,
        "input must be a torch.Tensor",
    ),
    ("int32 avg", lambda m: m.avg_pool2d(X.int(), 2), True, TypeError, "input.dtype=torch.int32"),
    ("bool max", lambda m: m.max_pool2d(X.bool(), 2), True, TypeError, "input.dtype=torch.bool"),
    (
        "complex max",
        lambda m: m.max_pool2d(X.cfloat(), 2),
        True,
        TypeError,
        "input.dtype=torch.complex64",
    ),
    (
        "ceil_mode",
        lambda m: m.max_pool2d(X, 2, ceil_mode="yes"),
        True,
        TypeError,
        "ceil_mode='yes'",
    ),
    (
        "divisor 0",
        lambda m: m.avg_pool2d(X, 2, divisor_override=0),
        True,
        ValueError,
        "divisor_override=0",
    ),
    (
        "divisor float",
        lambda m: m.avg_pool2d(X, 2, divisor_override=2.5),
        True,
        TypeError,
        "divisor_override=2.5",
    ),
    (
        "1-D input 1d",
        lambda m: m.max_pool1d(X[0, 0, 0], 2),
        True,
        ValueError,
        "input of shape (8,)",
    ),
    ("3-D input 3d", lambda m: m.max_pool3d(X[0], 2), True, ValueError, "input of shape (1, 8, 8)"),
    (
        "avg3d kernel > input",
        lambda m: m.avg_pool3d(X[:, :, :1, :1].unsqueeze(2), (1, 2, 1), 1, (0, 1, 0)),
        True,
        ValueError,
        "kernel_size=(1, 2, 1)",
    ),
]

VECTOR_ONLY = [
    (
        "return_indices",
        lambda: P.max_pool2d(X, 2, return_indices=1),
        None,
        TypeError,
        "return_indices=1",
    ),
    (
        "count_include_pad",
        lambda: P.avg_pool2d(X, 2, count_include_pad=None),
        None,
        TypeError,
        "count_include_pad=None",
    ),
    (
        "adaptive negative",
        lambda: P.adaptive_avg_pool2d(X, -1),
        lambda: F.adaptive_avg_pool2d(X, -1),
        ValueError,
        "output_size=-1",
    ),
    (
        "adaptive length",
        lambda: P.adaptive_max_pool2d(X, (2, 2, 2)),
        lambda: F.adaptive_max_pool2d(X, (2, 2, 2)),
        ValueError,
        "output_size=(2, 2, 2)",
    ),
    (
        "adaptive float",
        lambda: P.adaptive_avg_pool1d(X[0], 2.5),
        lambda: F.adaptive_avg_pool1d(X[0], 2.5),
        TypeError,
        "output_size=2.5",
    ),
    (
        "adaptive input",
        lambda: P.adaptive_avg_pool2d(X[0, 0], 2),
        lambda: F.adaptive_avg_pool2d(X[0, 0], 2),
        ValueError,
        "input of shape (8, 8)",
    ),
    (
        "lp norm 0",
        lambda: P.lp_pool2d(X, 0, 2),
        lambda: F.lp_pool2d(X, 0, 2),
        ValueError,
        "norm_type=0",
    ),
    ("lp norm str", lambda: P.lp_pool1d(X[0], "2", 2), None, TypeError, "norm_type='2'"),
    (
        "lp kernel",
        lambda: P.lp_pool2d(X, 2, 9),
        lambda: F.lp_pool2d(X, 2, 9),
        ValueError,
        "output size",
    ),
    (
        "unpool indices dtype",
        lambda: P.max_unpool2d(X, X, 2),
        lambda: F.max_unpool2d(X, X, 2),
        TypeError,
        "indices must be an int64",
    ),
    (
        "unpool indices shape",
        lambda: P.max_unpool2d(X, X[0].long(), 2),
        lambda: F.max_unpool2d(X, X[0].long(), 2),
        ValueError,
        "indices of shape (1, 8, 8)",
    ),
    (
        "unpool output_size",
        lambda: P.max_unpool2d(X, X.long(), 2, output_size=(3, 3)),
        lambda: F.max_unpool2d(X, X.long(), 2, output_size=(3, 3)),
        ValueError,
        "output_size=(3, 3)",
    ),
    (
        "module padding",
        lambda: pnn.MaxPool2d(3, padding=2),
        None,
        ValueError,
        "MaxPool2d: padding=2",
    ),
    (
        "module divisor",
        lambda: pnn.AvgPool2d(2, divisor_override=0),
        None,
        ValueError,
        "AvgPool2d: divisor_override=0",
    ),
    ("module kernel", lambda: pnn.MaxPool1d(0), None, ValueError, "MaxPool1d: kernel_size=0"),
]


@pytest.mark.parametrize("module", [P, loops], ids=["vectorized", "loops"])
@pytest.mark.parametrize(
    "label, call, torch_rejects, error, text", INVALID, ids=[c[0] for c in INVALID]
)
def test_invalid_argument_raises_named_error(module, label, call, torch_rejects, error, text):
    if module is loops and "3d" in label:
        pytest.skip("no 3-d loop version")
    with pytest.raises(error) as info:
        call(module)
    message = str(info.value)
    assert text in message, message
    assert re.match(r"(max|avg)_pool[123]d: ", message), message  # names the function
    if torch_rejects:
        assert _raises_torch(call, F), f"PyTorch accepts {label}"


@pytest.mark.parametrize(
    "label, call, torch_call, error, text", VECTOR_ONLY, ids=[c[0] for c in VECTOR_ONLY]
)
def test_invalid_argument_raises_named_error_other_functions(label, call, torch_call, error, text):
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value), str(info.value)
    if torch_call is not None:
        assert _raises_torch(torch_call), f"PyTorch accepts {label}"


def test_seed_pool2d_checks_its_arguments():
    X2 = torch.arange(9.0).reshape(3, 3)
    assert torch.equal(loops.pool2d(X2, (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))
    assert torch.equal(loops.pool2d(X2, (2, 2), "avg"), torch.tensor([[2.0, 3.0], [5.0, 6.0]]))
    for args, error, text in [
        ((X2, (2, 2), "min"), ValueError, "pool2d: mode='min' must be 'max' or 'avg'"),
        ((X2, (4, 2)), ValueError, "pool2d: pool_size=(4, 2) must fit"),
        ((X2, (0, 2)), ValueError, "pool2d: pool_size=(0, 2) must be positive"),
        ((X2, 2), TypeError, "pool2d: pool_size=2 must be a pair of ints"),
        ((X2, (2.0, 2)), TypeError, "pool2d: pool_size=(2.0, 2) must be a pair of ints"),
        ((X2, (True, 2)), TypeError, "pool2d: pool_size=(True, 2) must be a pair of ints"),
        ((X2[None], (2, 2)), ValueError, "pool2d: X must be 2-D"),
        (([[1.0]], (1, 1)), TypeError, "pool2d: X must be a torch.Tensor"),
        ((X2.long(), (2, 2), "avg"), TypeError, "pool2d: mode='avg' needs a floating X"),
        ((X2.to("meta"), (2, 2)), ValueError, "pool2d: input is on the meta device"),
    ]:
        with pytest.raises(error, match=re.escape(text)):
            loops.pool2d(*args)
    # what PyTorch accepts as sizes is accepted: numpy integers, 0-d integer tensors, lists
    for size in [(np.int64(2), np.int32(2)), torch.Size([2, 2]), [2, torch.tensor(2)]]:
        assert torch.equal(loops.pool2d(X2, size), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))
    # integers pool by max (the seed's result is float32, as torch.zeros makes it)
    assert torch.equal(loops.pool2d(X2.long(), (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))


_X3 = torch.zeros(1, 1, 4, 4, 4)
_POOLED, _INDICES = F.max_pool2d(torch.arange(16.0).view(1, 1, 4, 4), 2, return_indices=True)

# Each kind of bad argument, in every public function where it can occur: the message names
# the function, the parameter, its value and the rule (what PyTorch accepts is accepted).
NAMED_ERRORS = [
    *[
        (f"divisor tuple {name}", call, TypeError, rf"{name}: divisor_override=\(2, 2\) must be "
         r"None or a non-zero int")
        for name, call in [
            ("avg_pool2d", lambda d: P.avg_pool2d(X, 2, divisor_override=d)),
            ("avg_pool3d", lambda d: P.avg_pool3d(_X3, 2, divisor_override=d)),
            ("avg_pool2d", lambda d: loops.avg_pool2d(X, 2, divisor_override=d)),
            (
                "avg_pool2d_backward",
                lambda d: loops.avg_pool2d_backward(X[..., :4, :4], X, 2, divisor_override=d),
            ),
            ("AvgPool2d", lambda d: pnn.AvgPool2d(2, divisor_override=d)),
            ("AvgPool3d", lambda d: pnn.AvgPool3d(2, divisor_override=d)),
        ]
    ],
    *[
        (f"unpool floats {i}", call, TypeError, r"max_unpool2d: output_size=\(4.0, 4.0\) must be "
         r"a tuple of 2 \(or 4\) ints or None, got float")
        for i, call in enumerate(
            [
                lambda size: P.max_unpool2d(_POOLED, _INDICES, 2, output_size=size),
                lambda size: pnn.MaxUnpool2d(2)(_POOLED, _INDICES, output_size=size),
            ]
        )
    ],
]  # fmt: skip


@pytest.mark.parametrize(
    "label, call, error, pattern", NAMED_ERRORS, ids=[e[0] for e in NAMED_ERRORS]
)
def test_error_names_parameter_value_and_rule(label, call, error, pattern):
    bad = (2, 2) if label.startswith("divisor") else (4.0, 4.0)
    with pytest.raises(error, match=pattern):
        call(bad)


def test_what_pytorch_accepts_is_accepted():
    """numpy integers, 0-d integer tensors and ``torch.Size`` work wherever ints do, in the
    vectorized functions, the loops and the modules."""
    x, x1 = torch.arange(16.0).view(1, 1, 4, 4), torch.arange(8.0).view(1, 1, 8)
    two, size = np.int64(2), torch.Size([2, 2])
    for module in (P, loops):
        assert torch.equal(module.max_pool2d(x, two, np.int32(1)), F.max_pool2d(x, 2, 1))
        assert torch.equal(module.max_pool2d(x, size), F.max_pool2d(x, 2))
        assert torch.equal(module.avg_pool2d(x, [two, torch.tensor(2)]), F.avg_pool2d(x, 2))
        assert torch.equal(
            module.avg_pool2d(x, 2, divisor_override=two), F.avg_pool2d(x, 2, divisor_override=2)
        )
        assert torch.equal(module.max_pool1d(x1, two), F.max_pool1d(x1, 2))
        assert torch.equal(module.avg_pool1d(x1, (two,)), F.avg_pool1d(x1, 2))
        assert torch.equal(module.lp_pool2d(x, two, two), P.lp_pool2d(x, 2, 2))
    assert torch.equal(
        P.adaptive_avg_pool2d(x, (two, np.int32(1))), F.adaptive_avg_pool2d(x, (2, 1))
    )
    assert torch.equal(P.adaptive_max_pool1d(x1, two), F.adaptive_max_pool1d(x1, 2))
    unpooled = F.max_unpool2d(_POOLED, _INDICES, 2)
    for output_size in [(np.int64(4), np.int64(4)), torch.Size([4, 4]), [1, 1, np.int32(4), 4]]:
        assert torch.equal(P.max_unpool2d(_POOLED, _INDICES, 2, output_size=output_size), unpooled)
    assert torch.equal(pnn.MaxPool2d(two)(x), F.max_pool2d(x, 2))
    assert torch.equal(
        pnn.AvgPool2d(2, divisor_override=two)(x), F.avg_pool2d(x, 2, 2, 0, False, True, 2)
    )


@st.composite
def maybe_invalid(draw):
    dims = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(-1, 4)) for _ in range(dims))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(-1, 3)] * dims)))
    padding = tuple(draw(st.integers(-1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(0, 3)) for _ in range(dims))
    ceil = draw(st.booleans())
    spatial = tuple(draw(st.integers(1, 7)) for _ in range(dims))
    return dims, (2, 2, *spatial), kernel, stride, padding, dilation, ceil


@pytest.mark.parametrize("module", [P, loops], ids=["vectorized", "loops"])
@LIB
@given(maybe_invalid(), st.sampled_from(["max", "avg"]))
def test_raises_exactly_when_torch_raises(module, params, pool):
    dims, shape, kernel, stride, padding, dilation, ceil = params
    x = torch.zeros(shape)
    name = f"{pool}_pool{dims}d"
    ours, theirs = getattr(module, name), getattr(F, name)
    if pool == "max":
        args = (kernel, stride, padding, dilation, ceil)
    else:
        args = (kernel, stride, padding, ceil)
    try:
        expected = theirs(x, *args)
    except RuntimeError:
        expected = None
    if expected is None:
        with pytest.raises((ValueError, TypeError)):
            ours(x, *args)
        return
    out = ours(x, *args)
    assert out.shape == expected.shape
    for dim in range(dims):
        s = kernel[dim] if stride is None else stride[dim]
        d = dilation[dim] if pool == "max" else 1
        assert out.shape[2 + dim] == pooled_size(
            shape[2 + dim], kernel[dim], s, padding[dim], d, ceil
        )
