"""The small networks the training chapters train, their training loop and what they measure.

Two chapters train networks on the shapes of :mod:`pooling_book.data`:

* ``notebooks/pooling_in_networks.ipynb`` trains LeNet-style networks (:func:`lenet`) that
  differ only in how they downsample (:data:`DOWNSAMPLE_KINDS`) and measures how their
  accuracy and their shift consistency fall as the test shapes move
  (:func:`shift_experiment`);
* ``notebooks/beyond_max_avg.ipynb`` trains a small network that ends in a global pooling
  (:func:`cam_net`) and measures how much of each shape its class activation map covers
  (:func:`cam_statistics`).

The chapters call these functions with their settings, and so does
``tests/test_numeric_setups.py``, which checks the chapters' claims (:mod:`pooling_book.claims`)
under other numeric set-ups (instruction sets, thread counts). Training is seeded: with the
same software, processor and thread count it gives the same weights bit for bit; on another
processor or with other threads the floating-point sums may be added in another order, and
the last digits of every trained number may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

import pooling_lib.nn
from pooling_book.data import SHAPE_CLASSES, make_shapes

__all__ = [
    "DOWNSAMPLE_KINDS",
    "BlurPool2d",
    "downsample",
    "lenet",
    "fit",
    "train_lenet",
    "predictions",
    "accuracy",
    "shifted_test_sets",
    "ShiftResults",
    "shift_experiment",
    "TRAIN_SHAPES",
    "TEST_SHAPES",
    "LENET_SEEDS",
    "LENET_EPOCHS",
    "SHIFTS",
    "CAM_SEED",
    "CAM_EPOCHS",
    "cam_net",
    "train_cam_nets",
    "class_activation_maps",
    "cam_statistics",
]

#: The chapters' data: ``make_shapes(**TRAIN_SHAPES)`` and ``make_shapes(**TEST_SHAPES)``
#: (the shapes are jittered by at most one pixel, ``make_shapes``'s default).
TRAIN_SHAPES: dict[str, int] = {"n": 3000, "seed": 1}
TEST_SHAPES: dict[str, int] = {"n": 1000, "seed": 2}
#: Chapter 8: every LeNet is trained once per seed, for this many epochs, and tested on
#: shapes moved by each of these shifts (pixels, in each of the four directions).
LENET_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)
LENET_EPOCHS = 5
SHIFTS: tuple[int, ...] = (0, 1, 2, 3, 4)
#: Chapter 7: the two class-activation-map networks, one seed, this many epochs.
CAM_SEED = 0
CAM_EPOCHS = 6

#: The ways :func:`lenet` downsamples, in the order the chapter's tables list them.
DOWNSAMPLE_KINDS: tuple[str, ...] = ("max", "avg", "strided conv", "none", "max + blur")


class BlurPool2d(nn.Module):
    """Blur each channel with the binomial filter ``[1, 2, 1]/4`` along both axes, then keep
    every ``stride``-th row and column (Zhang, 2019, "Making convolutional networks
    shift-invariant again"). Reflection padding of one pixel keeps the size before the
    subsampling. The filter is a fixed buffer, not a parameter.

    Args:
        channels: number of channels ``C`` of the input (the blur is depthwise,
            ``groups=C``), an int >= 1.
        stride: subsampling step, an int >= 1.

    Shape:
        Input ``(N, C, H, W)`` with ``H, W >= 2``; output
        ``(N, C, (H - 1) // stride + 1, (W - 1) // stride + 1)``.

    Raises:
        ValueError: ``channels`` or ``stride`` is not an int >= 1.
    """

    def __init__(self, channels: int, stride: int = 2):
        super().__init__()
        for name, value in (("channels", channels), ("stride", stride)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"BlurPool2d: {name} must be an int >= 1, got {value!r}")
        row = torch.tensor([1.0, 2.0, 1.0]) / 4
        self.register_buffer("kernel", torch.outer(row, row).expand(channels, 1, 3, 3).clone())
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        return F.conv2d(x, self.kernel, stride=self.stride, groups=x.shape[1])


def downsample(kind: str, channels: int) -> nn.Module:
    """The downsampling step ``kind`` of :func:`lenet` for ``channels`` channels.

    ``"max"``: ``MaxPool2d(2)``; ``"avg"``: ``AvgPool2d(2)`` (both ``pooling_lib.nn``);
    ``"strided conv"``: a learned 2×2 convolution with stride 2; ``"none"``: the identity;
    ``"max + blur"``: a dense 2×2 max (stride 1), then :class:`BlurPool2d` (MaxBlurPool).

    Raises:
        ValueError: ``kind`` is not one of :data:`DOWNSAMPLE_KINDS`.
    """
    if kind == "max":
        return pooling_lib.nn.MaxPool2d(kernel_size=2)
    if kind == "avg":
        return pooling_lib.nn.AvgPool2d(kernel_size=2)
    if kind == "strided conv":
        return nn.Conv2d(channels, channels, kernel_size=2, stride=2)
    if kind == "none":
        return nn.Identity()
    if kind == "max + blur":
        return nn.Sequential(
            pooling_lib.nn.MaxPool2d(kernel_size=2, stride=1), BlurPool2d(channels)
        )
    raise ValueError(f"downsample: kind must be one of {DOWNSAMPLE_KINDS}, got {kind!r}")


def lenet(kind: str, n_classes: int = len(SHAPE_CLASSES)) -> nn.Sequential:
    """LeNet for 16×16 grey images, with ReLU, downsampling by ``kind`` after each convolution.

    A 5×5 convolution to 6 channels (padding 2), ReLU, :func:`downsample`, a 5×5 convolution
    to 16 channels, ReLU, :func:`downsample`, then fully connected layers of 120, 84 and
    ``n_classes`` units (ReLU between them).

    Shape:
        Input ``(N, 1, 16, 16)``, output ``(N, n_classes)``.

    Raises:
        ValueError: ``kind`` is not one of :data:`DOWNSAMPLE_KINDS`.
    """
    side = 12 if kind == "none" else 2  # height and width after the second block
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        nn.ReLU(),
        downsample(kind, 6),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.ReLU(),
        downsample(kind, 16),
        nn.Flatten(),
        nn.Linear(16 * side * side, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, n_classes),
    )


def fit(
    net: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    order_seed: int,
    epochs: int,
    batch_size: int = 64,
    lr: float = 3e-3,
) -> list[float]:
    """Train ``net`` in place with Adam on cross-entropy; return the mean loss of each epoch.

    The batches of every epoch are a permutation of ``X`` drawn from
    ``torch.Generator().manual_seed(order_seed)``; the initial weights are whatever ``net`` holds
    (call ``torch.manual_seed`` before building it).

    Shape:
        ``X``: ``(N, ...)`` inputs, ``y``: ``(N,)`` class indices.
    """
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
    order = torch.Generator().manual_seed(order_seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(X), generator=order).split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(net(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(X))
    return losses


def train_lenet(
    kind: str, seed: int, X: torch.Tensor, y: torch.Tensor, *, epochs: int
) -> tuple[nn.Sequential, list[float]]:
    """``torch.manual_seed(seed)``, build ``lenet(kind)`` and :func:`fit` it with ``seed``.

    The seed fixes both the initial weights and the order of the batches.
    """
    torch.manual_seed(seed)
    net = lenet(kind)
    return net, fit(net, X, y, order_seed=seed, epochs=epochs)


def predictions(net: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Predicted class indices ``(N,)`` of ``net`` on ``X``, without gradients."""
    with torch.no_grad():
        return net(X).argmax(dim=1)


def accuracy(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of ``X`` that ``net`` classifies as ``y``."""
    return _agree(predictions(net, X), y)


def shifted_test_sets(
    n: int, seed: int, shifts: Sequence[int], *, jitter: int = 1
) -> dict[int, list[tuple[torch.Tensor, torch.Tensor]]]:
    """For each ``d`` in ``shifts``: the test set ``make_shapes(n, seed=seed, jitter=jitter)``
    redrawn with every shape moved by ``d`` pixels up, down, left and right (one set for
    ``d = 0``)."""
    return {
        d: [
            make_shapes(n, seed=seed, jitter=jitter, shift=s)
            for s in dict.fromkeys([(d, 0), (-d, 0), (0, d), (0, -d)])
        ]
        for d in shifts
    }


@dataclass
class ShiftResults:
    """What :func:`shift_experiment` measured.

    ``accuracy[kind]`` and ``consistency[kind]`` are tensors of shape
    ``(len(seeds), len(shifts))``: for each seed's network and each shift ``d``, the test
    accuracy and the shift consistency (the fraction of test images whose predicted class
    does not change when the image moves by ``d``), both averaged over the four directions.
    ``train_accuracy[kind]`` is ``(len(seeds),)``; ``losses[kind]`` is
    ``(len(seeds), epochs)``, the mean training loss per epoch.
    """

    kinds: tuple[str, ...]
    seeds: tuple[int, ...]
    shifts: tuple[int, ...]
    accuracy: dict[str, torch.Tensor] = field(default_factory=dict)
    consistency: dict[str, torch.Tensor] = field(default_factory=dict)
    train_accuracy: dict[str, torch.Tensor] = field(default_factory=dict)
    losses: dict[str, torch.Tensor] = field(default_factory=dict)
    nets: dict[str, list[nn.Module]] = field(default_factory=dict, repr=False)

    def mean(self, measure: str) -> dict[str, torch.Tensor]:
        """``{kind: mean over the seeds}`` of ``"accuracy"`` or ``"consistency"``."""
        return {kind: values.mean(dim=0) for kind, values in getattr(self, measure).items()}

    def std(self, measure: str) -> dict[str, torch.Tensor]:
        """``{kind: sample standard deviation over the seeds}`` of a measure."""
        return {kind: values.std(dim=0) for kind, values in getattr(self, measure).items()}


def shift_experiment(
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    test_sets: dict[int, list[tuple[torch.Tensor, torch.Tensor]]],
    *,
    kinds: Sequence[str] = DOWNSAMPLE_KINDS,
    seeds: Sequence[int],
    epochs: int,
) -> ShiftResults:
    """Train ``lenet(kind)`` once per seed for every kind; measure accuracy and consistency.

    ``test_sets`` is :func:`shifted_test_sets`'s dict and must hold the shift 0 (the
    reference for consistency). Shape: see :class:`ShiftResults`.
    """
    if 0 not in test_sets or len(test_sets[0]) != 1:
        raise ValueError("shift_experiment: test_sets must hold the unshifted set as shift 0")
    shifts = tuple(test_sets)
    ((X_test, _),) = test_sets[0]
    results = ShiftResults(tuple(kinds), tuple(seeds), shifts)
    for kind in kinds:
        runs = [train_lenet(kind, seed, X_train, y_train, epochs=epochs) for seed in seeds]
        nets = [net for net, _ in runs]
        results.nets[kind] = nets
        results.losses[kind] = torch.tensor([losses for _, losses in runs])
        results.train_accuracy[kind] = torch.tensor(
            [accuracy(net, X_train, y_train) for net in nets]
        )
        acc, cons = [], []
        for net in nets:
            unshifted = predictions(net, X_test)  # consistency: agreement with these
            predicted = {d: [(predictions(net, X), y) for X, y in test_sets[d]] for d in shifts}
            acc.append([_mean([_agree(p, y) for p, y in predicted[d]]) for d in shifts])
            cons.append([_mean([_agree(p, unshifted) for p, _ in predicted[d]]) for d in shifts])
        results.accuracy[kind] = torch.tensor(acc)
        results.consistency[kind] = torch.tensor(cons)
    return results


def _agree(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a == b).float().mean().item()


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def cam_net(global_pool: nn.Module, n_classes: int = len(SHAPE_CLASSES)) -> nn.Sequential:
    """The class-activation-map network of ``beyond_max_avg``: a 5×5 convolution to 16
    channels (padding 2), ReLU, 2×2 max pooling, two 3×3 convolutions to 32 channels
    (padding 1, ReLU), then ``global_pool`` (to 1×1), flattening and a linear layer.

    Shape:
        Input ``(N, 1, H, W)``, output ``(N, n_classes)``; ``net[:7]`` gives the last
        feature map ``(N, 32, H // 2, W // 2)``.
    """
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, kernel_size=3, padding=1), nn.ReLU(),
        global_pool, nn.Flatten(), nn.Linear(32, n_classes),
    )  # fmt: skip


def train_cam_nets(
    X: torch.Tensor, y: torch.Tensor, *, seed: int = CAM_SEED, epochs: int = CAM_EPOCHS
) -> dict[str, nn.Sequential]:
    """Train :func:`cam_net` twice, ending in global average and in global max pooling.

    Both start from ``torch.manual_seed(seed)`` and see the batches in the same order.
    Returns ``{"global average": net, "global max": net}``.
    """
    nets = {}
    for name, pool in (
        ("global average", nn.AdaptiveAvgPool2d(1)),
        ("global max", nn.AdaptiveMaxPool2d(1)),
    ):
        torch.manual_seed(seed)
        nets[name] = cam_net(pool)
        fit(nets[name], X, y, order_seed=seed, epochs=epochs)
    return nets


def class_activation_maps(net: nn.Sequential, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Class activation maps ``M_c`` of the predicted classes of a :func:`cam_net`.

    ``M_c(x, y) = sum_k w_{c,k} f_k(x, y)`` over the channels ``f_k`` of the feature map
    before the global pooling and the weights ``w`` of the last layer (Zhou et al., 2016),
    enlarged bilinearly to the input's size.

    Shape:
        ``X``: ``(N, 1, H, W)``; returns maps ``(N, H, W)`` and predicted classes ``(N,)``.
    """
    with torch.no_grad():
        features = net[:7](X)
        predicted = net(X).argmax(dim=1)
        maps = torch.einsum("nkhw,nk->nhw", features, net[-1].weight[predicted])
        return F.interpolate(maps[:, None], size=X.shape[-2:], mode="bilinear")[:, 0], predicted


def cam_statistics(
    net: nn.Sequential, X: torch.Tensor, y: torch.Tensor, shape_pixels: torch.Tensor
) -> dict[str, object]:
    """Accuracy and class-activation-map coverage of a :func:`cam_net` on ``X``.

    A pixel is *hot* where the map exceeds half its maximum. Returns ``accuracy``, ``hot``
    (mean number of hot pixels per image), ``covered`` (mean fraction of each image's
    ``shape_pixels`` that are hot) and ``maps`` (``(N, H, W)``).

    Shape:
        ``X``: ``(N, 1, H, W)``, ``y``: ``(N,)``, ``shape_pixels``: ``(N, H, W)`` booleans.
    """
    maps, predicted = class_activation_maps(net, X)
    hot = maps > 0.5 * maps.amax(dim=(1, 2), keepdim=True)
    covered = (hot & shape_pixels).sum(dim=(1, 2)) / shape_pixels.sum(dim=(1, 2))
    return dict(
        accuracy=(predicted == y).float().mean().item(),
        hot=hot.sum(dim=(1, 2)).float().mean().item(),
        covered=covered.mean().item(),
        maps=maps,
    )
