"""The claims the training chapters make from trained networks, as checks with stated margins.

A trained network's numbers depend on the order in which floating-point sums are added,
and that order depends on the processor (which oneDNN/MKL kernels run) and on the number
of threads. So the chapters do not compare those numbers digit for digit; they check the
statements the prose makes from them. Each function here checks one group of statements,
the ones a chapter's paragraph makes, and raises :class:`AssertionError` naming the
statement and the numbers when one does not hold. The chapters call them in the cell that
computes the numbers, and ``tests/test_numeric_setups.py`` calls them on networks trained
under other numeric set-ups.

Every comparison between two networks is made on means over the seeds and must hold with
a margin of :data:`MARGIN`; the margins were chosen so that the statements hold for every
set-up tested, with the spread over seeds (standard deviation about 0.01 to 0.05 at each
shift) in mind: with five seeds the mean moves by less than about 0.02 from one rounding
of the training to another.
"""

from __future__ import annotations

from pooling_book.training import ShiftResults

__all__ = [
    "MARGIN",
    "CLEAN_ACCURACY_MIN",
    "BLUR_COST_MAX",
    "LARGE_SHIFT_CONSISTENCY_MAX",
    "CAM_COVERAGE_GAP_MIN",
    "POOLING",
    "POOLING_FREE",
    "check_accuracy_claims",
    "check_consistency_claims",
    "check_cam_claims",
]

#: Smallest difference of two means (accuracy or consistency) the prose calls "more".
MARGIN = 0.02
#: "Near 100%": the smallest mean accuracy on unshifted test images, for every network.
CLEAN_ACCURACY_MIN = 0.98
#: Blur pooling "costs at most two points" of accuracy on unshifted images against max.
BLUR_COST_MAX = 0.02
#: "Blurring is no cure for large shifts": at the largest shift every network keeps at most
#: this fraction of its predictions.
LARGE_SHIFT_CONSISTENCY_MAX = 0.75
#: The global-average map covers at least this much more of a shape than the global-max map.
CAM_COVERAGE_GAP_MIN = 0.10

#: The networks with a pooling layer, and those without, in chapter 8.
POOLING = ("max", "avg", "max + blur")
POOLING_FREE = ("strided conv", "none")


def _require(condition: bool, claim: str, numbers: object) -> None:
    if not condition:
        raise AssertionError(f"the chapter says: {claim}; but measured {numbers}")


def _means(results: ShiftResults, measure: str) -> dict[str, list[float]]:
    return {kind: [round(v, 4) for v in m.tolist()] for kind, m in results.mean(measure).items()}


def check_accuracy_claims(results: ShiftResults) -> None:
    """Chapter 8's accuracy table (``notebooks/pooling_in_networks.ipynb``).

    * every network classifies unshifted test shapes almost perfectly (mean accuracy at
      least :data:`CLEAN_ACCURACY_MIN`);
    * at every shift of one pixel or more, each network with a pooling layer is more
      accurate than each network without one (by :data:`MARGIN`);
    * blur pooling is the most accurate at every such shift (by :data:`MARGIN`);
    * the network without downsampling fits its training set (mean training accuracy at
      least :data:`CLEAN_ACCURACY_MIN`).
    """
    acc = _means(results, "accuracy")
    shifts = results.shifts
    if "none" in results.train_accuracy:
        fit = results.train_accuracy["none"].mean().item()
        _require(
            fit >= CLEAN_ACCURACY_MIN,
            "the network without downsampling fits the training set",
            {"none": round(fit, 4)},
        )
    _require(
        all(acc[kind][0] >= CLEAN_ACCURACY_MIN for kind in results.kinds),
        f"every network is at least {CLEAN_ACCURACY_MIN:.0%} accurate on unshifted shapes",
        {kind: acc[kind][0] for kind in results.kinds},
    )
    for i, d in enumerate(shifts):
        if d == 0:
            continue
        at_d = {kind: acc[kind][i] for kind in results.kinds}
        _require(
            min(at_d[k] for k in POOLING) >= max(at_d[k] for k in POOLING_FREE) + MARGIN,
            f"shifted by {d} px, every pooling network {POOLING} is more accurate than "
            f"every network without pooling {POOLING_FREE}",
            at_d,
        )
        others = max(v for k, v in at_d.items() if k != "max + blur")
        _require(
            at_d["max + blur"] >= others + MARGIN,
            f"shifted by {d} px, blur pooling is the most accurate network",
            at_d,
        )


def check_consistency_claims(results: ShiftResults) -> None:
    """Chapter 8's shift-consistency table.

    * consistency and accuracy differ by at most the error rate on unshifted images (an
      identity: only a wrongly classified unshifted image can be consistent and wrong, or
      inconsistent and right), so with clean accuracy near 100% they nearly coincide;
    * blur pooling is the most shift-consistent network at every shift (by :data:`MARGIN`);
    * the strided convolution is the least consistent of the four networks that downsample
      (by :data:`MARGIN`);
    * blur pooling costs at most :data:`BLUR_COST_MAX` of accuracy on unshifted images
      against max pooling;
    * blurring is no cure for large shifts: at the largest shift no network keeps more than
      :data:`LARGE_SHIFT_CONSISTENCY_MAX` of its predictions.
    """
    acc = _means(results, "accuracy")
    cons = _means(results, "consistency")
    for kind in results.kinds:
        error = 1 - results.accuracy[kind][:, 0]  # per seed
        gap = (results.consistency[kind] - results.accuracy[kind]).abs().amax(dim=1)
        _require(
            bool((gap <= error + 1e-6).all()),
            f"{kind}: consistency and accuracy differ by at most the clean error rate",
            {"gap": gap.tolist(), "error": error.tolist()},
        )
    downsampling = [k for k in results.kinds if k != "none"]
    for i, d in enumerate(results.shifts):
        if d == 0:
            continue
        at_d = {kind: cons[kind][i] for kind in results.kinds}
        others = max(v for k, v in at_d.items() if k != "max + blur")
        _require(
            at_d["max + blur"] >= others + MARGIN,
            f"shifted by {d} px, blur pooling is the most consistent network",
            at_d,
        )
        rest = min(at_d[k] for k in downsampling if k != "strided conv")
        _require(
            at_d["strided conv"] + MARGIN <= rest,
            f"shifted by {d} px, the strided convolution is the least consistent of the "
            "networks that downsample",
            at_d,
        )
    last = {kind: cons[kind][-1] for kind in results.kinds}
    _require(
        max(last.values()) <= LARGE_SHIFT_CONSISTENCY_MAX,
        f"at {results.shifts[-1]} px no network keeps more than "
        f"{LARGE_SHIFT_CONSISTENCY_MAX:.0%} of its predictions",
        last,
    )
    cost = acc["max"][0] - acc["max + blur"][0]
    _require(
        cost <= BLUR_COST_MAX,
        f"blur pooling loses at most {BLUR_COST_MAX:.0%} of accuracy on unshifted shapes",
        {"max": acc["max"][0], "max + blur": acc["max + blur"][0]},
    )


def check_cam_claims(stats: dict[str, dict[str, object]]) -> None:
    """Chapter 7's class activation maps (``notebooks/beyond_max_avg.ipynb``):

    * the global-average network's map covers more of each shape than the global-max
      network's (by :data:`CAM_COVERAGE_GAP_MIN`);
    * here the global-max network is the more accurate classifier (by :data:`MARGIN`).

    ``stats`` maps ``"global average"`` and ``"global max"`` to
    :func:`pooling_book.training.cam_statistics`.
    """
    covered = {name: round(s["covered"], 4) for name, s in stats.items()}
    _require(
        covered["global average"] >= covered["global max"] + CAM_COVERAGE_GAP_MIN,
        "the global-average map covers more of each shape than the global-max map",
        covered,
    )
    accuracy = {name: round(s["accuracy"], 4) for name, s in stats.items()}
    _require(
        accuracy["global max"] >= accuracy["global average"] + MARGIN,
        "the global-max network is the more accurate classifier",
        accuracy,
    )
