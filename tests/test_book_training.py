"""pooling_book.training (the chapters' networks and training) and pooling_book.claims (the
checks of what the chapters say about them): shapes, errors, and that every check fails
when its claim does not hold."""

from __future__ import annotations

import pytest
import torch

from pooling_book import claims, training
from pooling_book.data import make_shapes


@pytest.mark.parametrize("kind", training.DOWNSAMPLE_KINDS)
def test_every_lenet_classifies_16x16_images(kind):
    torch.manual_seed(0)
    assert training.lenet(kind)(torch.zeros(2, 1, 16, 16)).shape == (2, 6)


def test_pooling_adds_no_parameters_and_the_blur_is_a_buffer():
    counts = {
        kind: sum(p.numel() for p in training.lenet(kind).parameters())
        for kind in training.DOWNSAMPLE_KINDS
    }
    assert counts["max"] == counts["avg"] == counts["max + blur"] == 21_046
    assert counts["strided conv"] - counts["max"] == 6 * 6 * 4 + 6 + 16 * 16 * 4 + 16


def test_blurpool_blurs_with_the_binomial_filter_and_subsamples():
    x = torch.zeros(1, 2, 5, 5)
    x[0, 0, 2, 2] = 16.0  # an impulse: the output shows the filter, subsampled
    y = training.BlurPool2d(2)(x)
    assert y.shape == (1, 2, 3, 3)
    assert torch.equal(y[0, 0], torch.tensor([[0.0, 0, 0], [0, 4, 0], [0, 0, 0]]))
    assert torch.equal(training.BlurPool2d(2, stride=1)(x)[0, 0, 1:4, 1:4],
                       torch.tensor([[1.0, 2, 1], [2, 4, 2], [1, 2, 1]]))  # fmt: skip
    assert torch.equal(y[0, 1], torch.zeros(3, 3))
    assert list(training.BlurPool2d(2).parameters()) == []


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: training.BlurPool2d(0), "channels must be an int >= 1, got 0"),
        (lambda: training.BlurPool2d(3, stride=True), "stride must be an int >= 1, got True"),
        (lambda: training.downsample("median", 6), "kind must be one of .* got 'median'"),
        (lambda: training.lenet("mean"), "kind must be one of .* got 'mean'"),
        (
            lambda: training.fit(
                torch.nn.Linear(1, 2), torch.zeros(4, 1), torch.zeros(4), order_seed=0, epochs=0
            ),
            "epochs must be an int >= 1, got 0",
        ),
    ],
)
def test_bad_arguments_are_named_with_their_value(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_shift_experiment_measures_every_seed_and_shift():
    X, y = make_shapes(64, seed=1)
    test_sets = training.shifted_test_sets(32, 2, (0, 1))
    results = training.shift_experiment(X, y, test_sets, kinds=("max",), seeds=(0, 1), epochs=1)
    assert results.accuracy["max"].shape == results.consistency["max"].shape == (2, 2)
    assert torch.equal(results.consistency["max"][:, 0], torch.ones(2))  # shift 0: itself
    assert results.losses["max"].shape == (2, 1)
    assert results.mean("accuracy")["max"].shape == (2,)
    with pytest.raises(ValueError, match="shift 0"):
        training.shift_experiment(X, y, {1: test_sets[1]}, seeds=(0,), epochs=1)


def _results(accuracy: dict[str, list[float]], consistency=None) -> training.ShiftResults:
    """ShiftResults of one seed per kind with the given means (shifts 0..len-1)."""
    shifts = tuple(range(len(next(iter(accuracy.values())))))
    results = training.ShiftResults(tuple(accuracy), (0,), shifts)
    for kind, values in accuracy.items():
        results.accuracy[kind] = torch.tensor([values])
        cons = (consistency or {}).get(kind, [1.0, *values[1:]])
        results.consistency[kind] = torch.tensor([cons])
    return results


# Numbers shaped like the chapter's: every claim holds.
GOOD = {
    "max": [1.00, 0.92, 0.70],
    "avg": [0.99, 0.91, 0.69],
    "strided conv": [0.99, 0.86, 0.60],
    "none": [1.00, 0.85, 0.58],
    "max + blur": [0.99, 0.97, 0.72],
}


def test_the_chapter_claims_pass_on_numbers_that_satisfy_them():
    claims.check_accuracy_claims(_results(GOOD))
    claims.check_consistency_claims(_results(GOOD))


@pytest.mark.parametrize(
    ("change", "check", "match"),
    [
        ({"avg": [0.95, 0.91, 0.69]}, "accuracy", "at least 98% accurate on unshifted"),
        ({"strided conv": [0.99, 0.90, 0.60]}, "accuracy", "every pooling network"),
        ({"max + blur": [0.99, 0.93, 0.72]}, "accuracy", "blur pooling is the most accurate"),
        ({"max + blur": [0.99, 0.93, 0.72]}, "consistency", "blur pooling is the most consistent"),
        ({"strided conv": [0.99, 0.90, 0.60]}, "consistency", "least consistent"),
        ({"max + blur": [0.97, 0.97, 0.72]}, "consistency", "loses at most 2%"),
        ({"max + blur": [1.0, 0.97, 0.80]}, "consistency", "no network keeps more than 75%"),
    ],
)
def test_each_claim_fails_when_the_numbers_contradict_it(change, check, match):
    results = _results({**GOOD, **change})
    function = getattr(claims, f"check_{check}_claims")
    with pytest.raises(AssertionError, match=match):
        function(results)


def test_the_network_without_downsampling_must_fit_its_training_set():
    results = _results(GOOD)
    results.train_accuracy["none"] = torch.tensor([0.9])
    with pytest.raises(AssertionError, match="fits the training set"):
        claims.check_accuracy_claims(results)


def test_consistency_and_accuracy_may_differ_by_the_clean_error_rate_only():
    results = _results(GOOD, consistency={"max": [1.0, 0.80, 0.70]})  # accuracy 0.92 at 1 px
    with pytest.raises(AssertionError, match="differ by at most the clean error rate"):
        claims.check_consistency_claims(results)


def _cam(covered: tuple[float, float], accuracy: tuple[float, float] = (0.97, 1.0)) -> dict:
    """Statistics of the global-average and the global-max network."""
    return {
        name: {"covered": c, "accuracy": a}
        for name, c, a in zip(("global average", "global max"), covered, accuracy, strict=True)
    }


def test_the_cam_claims_need_more_coverage_from_the_average_and_accuracy_from_the_max():
    claims.check_cam_claims(_cam((0.74, 0.42)))
    with pytest.raises(AssertionError, match="covers more of each shape"):
        claims.check_cam_claims(_cam((0.50, 0.45)))
    with pytest.raises(AssertionError, match="global-max network is the more accurate"):
        claims.check_cam_claims(_cam((0.74, 0.42), accuracy=(0.99, 1.0)))
