"""The teachers' solutions (book/teachers.md) to the exercises of the chapters on sets,
tokens and graphs (beyond_images) and on boxes, retrieval and context (detection_retrieval)
hold for the code. (The other chapters' solutions: tests/test_exercises.py.)"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

import pooling_lib
from pooling_lib.generalized_mean import gem
from pooling_lib.roi import roi_align_points
from pooling_lib.sets import masked_max, masked_mean

TEXT = (Path(__file__).resolve().parents[1] / "book" / "teachers.md").read_text()


def test_beyond_images_solutions() -> None:
    assert "### {doc}`../notebooks/beyond_images`" in TEXT
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 5, 4, generator=gen, dtype=torch.float64)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 1]], dtype=torch.bool)
    layer = torch.nn.Linear(4, 2, dtype=torch.float64)
    with torch.no_grad():  # 1: a linear layer commutes with the masked mean ...
        assert torch.allclose(layer(masked_mean(x, mask)), masked_mean(layer(x), mask))
        tokens, real = torch.tensor([[[1.0], [3.0]]]), torch.tensor([[True, True]])
        assert -masked_max(tokens, real).item() == -3.0  # ... not with the max (W = -1)
        assert masked_max(-tokens, real).item() == -1.0
    a, b = torch.tensor([[1.0], [3.0]]), torch.tensor([[2.0], [2.0]])  # 2
    batch = torch.zeros(2, dtype=torch.long)
    assert torch.equal(pooling_lib.sets.global_add_pool(a, batch), torch.tensor([[4.0]]))
    assert torch.equal(pooling_lib.sets.global_add_pool(b, batch), torch.tensor([[4.0]]))
    assert pooling_lib.sets.global_max_pool(a, batch).item() == 3.0
    assert pooling_lib.sets.global_max_pool(b, batch).item() == 2.0
    c = torch.tensor([[1.0], [3.0], [3.0]])
    assert pooling_lib.sets.global_max_pool(c, torch.zeros(3, dtype=torch.long)).item() == 3.0
    clip = torch.zeros(1, 1, 16, 32, 32)  # 4: the chapter's clip, five 1x2x2 poolings
    for t in range(16):
        clip[0, 0, t, 14:18, 2 * t : 2 * t + 4] = 1.0
    y = clip
    for _ in range(5):
        y = pooling_lib.max_pool3d(y, (1, 2, 2))
    assert tuple(y.shape[2:]) == (16, 1, 1) and bool((y == 1).all())


def test_detection_retrieval_solutions() -> None:
    assert "### {doc}`../notebooks/detection_retrieval`" in TEXT
    box = (1.4, 0.6, 6.3, 4.4)  # 1: the figure's box; aligned=False is half a cell further
    shifted = roi_align_points(box, (2, 3), sampling_ratio=2, aligned=False)
    aligned = roi_align_points(box, (2, 3), sampling_ratio=2, aligned=True)
    for u, v in zip(shifted, aligned, strict=True):
        assert torch.allclose(u - v, torch.full_like(u, 0.5))
    x = torch.rand(2, 3, 5, 5, generator=torch.Generator().manual_seed(1)) + 0.1  # 3
    target = x.amax((-2, -1), keepdim=True)
    losses = [((gem(x, p) - target) ** 2).sum().item() for p in (1.0, 4.0, 16.0, 64.0)]
    assert losses == sorted(losses, reverse=True) and losses[-1] > 0
    assert torch.equal(F.adaptive_max_pool2d(x, 1), target)  # 4
    assert not torch.allclose(F.adaptive_max_pool2d(x, 2), F.adaptive_avg_pool2d(x, 2))
