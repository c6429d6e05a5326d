"""pooling_lib.sets: masked pooling of padded batches and graph readouts.

The masked poolings equal the plain pooling of each set cut to its length, whatever the
padding holds; the readouts equal the pooling of each graph's rows; both are independent of
the order of the elements; bad arguments give messages that name them.
"""

from __future__ import annotations

import doctest

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import pooling_lib
from pooling_lib import generalized_mean, roi, sets
from pooling_lib.sets import (
    global_add_pool,
    global_max_pool,
    global_mean_pool,
    masked_max,
    masked_mean,
)
from tests.strategies import LIB


@pytest.mark.parametrize(
    "module, sections",
    [
        (sets, ("Args:", "Shape:", "Returns:", "Raises:", "Example:", "Source:")),
        (generalized_mean, ("Args:", "Shape:", "Raises:", "Example:", "Source:")),
        (roi, ("Args:", "Returns:", "Raises:", "Example:", "Source:")),
    ],
    ids=lambda v: v.__name__ if hasattr(v, "__name__") else "",
)
def test_examples_run_and_docstrings_have_the_sections(module, sections):
    """The examples of pooling_lib.sets, .generalized_mean and .roi run (doctests), and
    every public name documents its arguments, errors, an example and its source."""
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0 and results.attempted >= len(module.__all__)
    for name in module.__all__:
        doc = getattr(module, name).__doc__
        assert all(section in doc for section in sections), name
    for name in sets.__all__:
        assert getattr(pooling_lib, name) is getattr(sets, name)
    assert pooling_lib.gem is generalized_mean.gem


@st.composite
def padded_batches(draw):
    n = draw(st.integers(1, 4))
    lengths = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    longest = max(lengths) + draw(st.integers(0, 2))
    d = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, longest, d, generator=gen, dtype=torch.float64)
    mask = torch.arange(longest)[None, :] < torch.tensor(lengths)[:, None]
    # the padding holds large values, which an unmasked pooling would pick up
    x = torch.where(mask[..., None], x, 1e6)
    return x, mask, lengths


@LIB
@given(padded_batches())
def test_masked_pooling_is_the_pooling_of_each_set_cut_to_its_length(batch):
    x, mask, lengths = batch
    mean, top = masked_mean(x, mask), masked_max(x, mask)
    for i, n in enumerate(lengths):
        torch.testing.assert_close(mean[i], x[i, :n].mean(dim=0), rtol=1e-12, atol=1e-12)
        assert torch.equal(top[i], x[i, :n].amax(dim=0))


@LIB
@given(padded_batches(), st.randoms(use_true_random=False))
def test_masked_pooling_ignores_the_order_of_the_elements(batch, rng):
    x, mask, _ = batch
    order = list(range(x.shape[1]))
    rng.shuffle(order)
    shuffled_x, shuffled_mask = x[:, order], mask[:, order]
    torch.testing.assert_close(masked_mean(shuffled_x, shuffled_mask), masked_mean(x, mask))
    assert torch.equal(masked_max(shuffled_x, shuffled_mask), masked_max(x, mask))


def test_masked_pooling_keepdim_other_dims_and_empty_sets():
    x = torch.arange(24.0).reshape(2, 3, 4)
    mask = torch.tensor([[True, False, True], [False, False, False]])
    assert masked_mean(x, mask, keepdim=True).shape == (2, 1, 4)
    assert masked_max(x, mask, dim=-1).shape == (2, 4)
    assert torch.equal(masked_mean(x, mask)[0], (x[0, 0] + x[0, 2]) / 2)
    assert masked_mean(x, mask)[1].isnan().all()
    assert torch.equal(masked_max(x, mask)[1], torch.full((4,), -torch.inf))
    # a mask over (N, L) pooled along N: the features of each position over the batch
    cols = torch.tensor([[True, True, True], [True, False, True]])
    assert torch.equal(masked_max(x, cols, dim=0)[1], x[0, 1])


def test_masked_pooling_gradients_reach_only_real_elements():
    x = torch.randn(2, 5, 3, generator=torch.Generator().manual_seed(0), requires_grad=True)
    mask = torch.tensor([[True] * 3 + [False] * 2, [True] * 5])
    (masked_mean(x, mask).sum() + masked_max(x, mask).sum()).backward()
    assert (x.grad[0, 3:] == 0).all() and (x.grad[0, :3] != 0).all()
    torch.testing.assert_close(x.grad[1].sum(), torch.tensor(3.0 + 3.0))


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: masked_mean(torch.ones(2, 3), torch.ones(2, 3)), TypeError, "mask.dtype"),
        (lambda: masked_mean(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 3) > 0),
         TypeError, "input.dtype"),
        (lambda: masked_max(torch.ones(2, 3, 4), torch.ones(3, 2) > 0), ValueError,
         "mask.shape=(3, 2)"),
        (lambda: masked_max(torch.ones(2, 3, 4), torch.ones(2, 3) > 0, dim=2), ValueError,
         "dim=2"),
        (lambda: masked_max([1.0], torch.ones(1) > 0), TypeError, "input must be"),
        (lambda: masked_mean(torch.ones(2, 3), torch.ones(2, 3) > 0, dim=1.0), TypeError,
         "dim=1.0"),
    ],
)  # fmt: skip
def test_masked_pooling_bad_arguments(call, error, words):
    with pytest.raises(
        error, match=f"^masked_(mean|max): .*{words.replace('(', '.').replace(')', '.')}"
    ):
        call()


@st.composite
def graph_batches(draw):
    sizes = draw(st.lists(st.integers(0, 5), min_size=1, max_size=4))
    d = draw(st.integers(1, 3))
    gen = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    x = torch.randn(sum(sizes), d, generator=gen, dtype=torch.float64)
    batch = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    perm = torch.randperm(len(batch), generator=gen)  # nodes of a graph need not be adjacent
    return x[perm], batch[perm], sizes


@LIB
@given(graph_batches())
def test_readouts_pool_the_rows_of_each_graph(graph):
    x, batch, sizes = graph
    size = len(sizes)
    got = {
        "sum": global_add_pool(x, batch, size),
        "mean": global_mean_pool(x, batch, size),
        "max": global_max_pool(x, batch, size),
    }
    for g, n in enumerate(sizes):
        rows = x[batch == g]
        if n == 0:
            assert (got["sum"][g] == 0).all() and got["mean"][g].isnan().all()
            assert (got["max"][g] == -torch.inf).all()
            continue
        torch.testing.assert_close(got["sum"][g], rows.sum(0), rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(got["mean"][g], rows.mean(0), rtol=1e-12, atol=1e-12)
        assert torch.equal(got["max"][g], rows.amax(0))


def test_readouts_default_size_and_one_graph():
    x = torch.tensor([[1.0, 4.0], [2.0, -1.0], [3.0, 0.0]])
    assert global_add_pool(x, torch.tensor([0, 2, 2])).shape == (3, 2)
    assert torch.equal(global_max_pool(x, None), torch.tensor([[3.0, 4.0]]))
    assert torch.equal(global_mean_pool(x, None), x.mean(0, keepdim=True))


def test_xu_et_al_multisets():
    """Multisets of Xu et al. (2019): the same proportions fool mean and max, the same
    distinct elements fool max; the sum tells each pair apart."""
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    pairs = {
        "same proportions": ([a, b], [a, a, b, b]),
        "same elements": ([a, b], [a, b, b]),
        "one element": ([a, a], [a, a, a]),
    }
    for name, (left, right) in pairs.items():
        x = torch.stack(left + right)
        batch = torch.tensor([0] * len(left) + [1] * len(right))
        s, m, t = (f(x, batch) for f in (global_add_pool, global_mean_pool, global_max_pool))
        assert not torch.equal(s[0], s[1]), name
        assert torch.equal(t[0], t[1]), name
        assert torch.equal(m[0], m[1]) == (name != "same elements"), name


def test_max_readout_gradient_is_shared_by_tied_maxima():
    x = torch.tensor([[2.0], [2.0], [1.0]], requires_grad=True)
    global_max_pool(x, torch.tensor([0, 0, 0])).sum().backward()
    assert x.grad.flatten().tolist() == [0.5, 0.5, 0.0]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: global_add_pool(torch.ones(3, 2), torch.tensor([0, 1])), ValueError,
         "shape .2,.. must be an integer tensor of shape .3,."),
        (lambda: global_mean_pool(torch.ones(2, 2), torch.tensor([0.0, 1.0])), ValueError,
         "dtype torch.float32"),
        (lambda: global_max_pool(torch.ones(2, 2), torch.tensor([0, -1])), ValueError,
         "value -1"),
        (lambda: global_max_pool(torch.ones(2, 2), torch.tensor([0, 3]), size=2), ValueError,
         "size=2 must be more than the largest graph index in batch .3."),
        (lambda: global_add_pool(torch.ones(2, 2), [0, 1]), TypeError, "batch must be"),
        (lambda: global_add_pool(torch.ones(2, 2, dtype=torch.long), None), TypeError,
         "x.dtype"),
    ],
)  # fmt: skip
def test_readout_bad_arguments(call, error, words):
    with pytest.raises(error, match=f"^global_(add|mean|max)_pool: .*{words}"):
        call()
