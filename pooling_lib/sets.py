"""Pooling over sets: padded token batches and batches of graphs.

A set has no order, so a summary of it must not depend on one: sum, mean and max are
such summaries. Two layouts of sets occur in practice, and this module pools both.

* **Padded batches** (tokens of sentences of different lengths, points of point clouds of
  different sizes): ``input`` of shape ``(N, L, D)`` holds ``N`` sets of at most ``L``
  elements, and a boolean ``mask`` of shape ``(N, L)`` marks the real elements (``True``)
  and the padding (``False``), as the ``attention_mask`` of a transformer tokenizer does.
  :func:`masked_mean` and :func:`masked_max` pool the real elements only.
* **Concatenated sets** (the nodes of a batch of graphs): ``x`` of shape
  ``(num_nodes, D)`` holds the elements of all sets one after the other, and ``batch`` of
  shape ``(num_nodes,)`` says which set (graph) each belongs to. :func:`global_add_pool`,
  :func:`global_mean_pool` and :func:`global_max_pool` are the graph *readouts*; their
  names and signatures are those of PyTorch Geometric (``torch_geometric.nn.pool``).

A set with no element: its sum is 0, its mean ``nan`` (``0/0``, as ``torch.mean`` of an
empty tensor) and its maximum ``-inf`` (the identity of the maximum, as pooling_lib's max
pooling gives for a window of padding only). Libraries differ here: PyTorch Geometric's
``global_mean_pool`` and ``global_max_pool`` give 0 for a graph without nodes (their
scatter fills empty groups with 0), and the mean pooling of ``sentence_transformers``
gives 0 for a sentence whose mask is all ``False`` (it clamps the count to at least
``1e-9``). pooling_lib keeps ``nan`` and ``-inf``, so that an empty set cannot pass for a
set whose mean or maximum is 0; ``torch.nan_to_num`` or a ``torch.where`` on the count
gives the libraries' 0 where that is wanted.
"""

from __future__ import annotations

import torch

__all__ = [
    "global_add_pool",
    "global_max_pool",
    "global_mean_pool",
    "masked_max",
    "masked_mean",
]


def _check_float(fn: str, name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{fn}: {name} must be a torch.Tensor, got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(
            f"{fn}: {name}.dtype={value.dtype} is not supported; {name} must be a floating "
            "point tensor"
        )
    return value


def _check_mask(fn: str, input: object, mask: object, dim: object) -> tuple[torch.Tensor, int]:
    """The mask, with trailing singleton dimensions to broadcast over ``input``, and ``dim``
    as a non-negative int."""
    input = _check_float(fn, "input", input)
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"{fn}: mask must be a torch.Tensor, got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise TypeError(
            f"{fn}: mask.dtype={mask.dtype} is not supported; mask must be a bool tensor "
            "(True for real elements, False for padding)"
        )
    if mask.ndim == 0 or mask.ndim > input.ndim or mask.shape != input.shape[: mask.ndim]:
        raise ValueError(
            f"{fn}: mask.shape={tuple(mask.shape)} must be the first dimensions of "
            f"input.shape={tuple(input.shape)} (e.g. (N, L) for an input (N, L, D))"
        )
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{fn}: dim={dim!r} must be an int")
    if not -mask.ndim <= dim < mask.ndim:
        raise ValueError(
            f"{fn}: dim={dim} must be a dimension of the mask (from {-mask.ndim} to "
            f"{mask.ndim - 1}): the dimension along which elements are padded"
        )
    expanded = mask.reshape(mask.shape + (1,) * (input.ndim - mask.ndim))
    return expanded, dim % mask.ndim


def masked_mean(
    input: torch.Tensor, mask: torch.Tensor, dim: int = 1, keepdim: bool = False
) -> torch.Tensor:
    """Mean of ``input`` along ``dim`` over the positions where ``mask`` is ``True``.

    ``sum(input * mask) / sum(mask)`` along ``dim``: the mean pooling of Sentence-BERT
    over the real tokens of a padded batch; padding does not count, whatever it holds.

    Args:
        input: floating point tensor, e.g. ``(N, L, D)``: ``N`` sets of up to ``L``
            elements of ``D`` features.
        mask: bool tensor whose shape is the first dimensions of ``input``'s, e.g.
            ``(N, L)``; ``True`` marks a real element, ``False`` padding.
        dim: the dimension to pool, a dimension of ``mask`` (default 1, the ``L`` of
            ``(N, L, D)``).
        keepdim: keep ``dim`` with size 1, as ``torch.mean`` does.

    Shape:
        - Input: ``(N, L, D)`` with mask ``(N, L)`` (any shapes whose leading
          dimensions are the mask's)
        - Output: ``(N, D)`` = input's shape without ``dim`` (or with size 1 there if
          ``keepdim``)

    Returns:
        the masked mean; ``nan`` where ``mask`` has no ``True`` along ``dim`` (an empty
        mean, as ``torch.mean`` of an empty tensor). ``sentence_transformers`` gives 0
        there (it clamps the count of real tokens to at least ``1e-9``).

    Raises:
        TypeError: ``input`` is not a floating point tensor, ``mask`` not a bool tensor,
            or ``dim`` not an int.
        ValueError: ``mask``'s shape is not a prefix of ``input``'s, or ``dim`` is not
            one of ``mask``'s dimensions; the message names the value and the rule.

    Example:
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]]])  # one set: 1 and 3, then padding
        >>> masked_mean(x, torch.tensor([[True, True, False]]))
        tensor([[2.]])

    Source: the mean pooling of Reimers and Gurevych (2019), Sentence-BERT; as in
    ``sentence_transformers.models.Pooling`` (``pooling_mode_mean_tokens``).
    """
    m, dim = _check_mask("masked_mean", input, mask, dim)
    total = torch.where(m, input, 0).sum(dim=dim, keepdim=keepdim)
    count = m.sum(dim=dim, keepdim=keepdim, dtype=input.dtype)
    return total / count


def masked_max(
    input: torch.Tensor, mask: torch.Tensor, dim: int = 1, keepdim: bool = False
) -> torch.Tensor:
    """Maximum of ``input`` along ``dim`` over the positions where ``mask`` is ``True``.

    Padded positions are read as ``-inf``, as max pooling reads padding, so they never win.
    The gradient goes to the maximum (shared equally among tied maxima, as
    ``torch.amax``'s).

    Args:
        input: floating point tensor, e.g. ``(N, L, D)``.
        mask: bool tensor whose shape is the first dimensions of ``input``'s, e.g.
            ``(N, L)``; ``True`` marks a real element, ``False`` padding.
        dim: the dimension to pool, a dimension of ``mask`` (default 1).
        keepdim: keep ``dim`` with size 1, as ``torch.amax`` does.

    Shape:
        - Input: ``(N, L, D)`` with mask ``(N, L)``
        - Output: ``(N, D)`` = input's shape without ``dim`` (or with size 1 there if
          ``keepdim``)

    Returns:
        the masked maximum; ``-inf`` where ``mask`` has no ``True`` along ``dim`` (the
        identity of the maximum, not a value of the set).

    Raises:
        TypeError, ValueError: as :func:`masked_mean`.

    Example:
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]]])
        >>> masked_max(x, torch.tensor([[True, True, False]]))
        tensor([[3.]])

    Source: max-over-time pooling of variable-length sequences (Collobert et al., 2011;
    Kim, 2014) and PointNet's max over points (Qi et al., 2017), with padding masked out.
    """
    m, dim = _check_mask("masked_max", input, mask, dim)
    return torch.where(m, input, -torch.inf).amax(dim=dim, keepdim=keepdim)


def _check_batch(fn: str, x: object, batch: object, size: object) -> tuple[torch.Tensor, int]:
    """``batch`` as a 1-d int64 tensor (zeros if ``None``) and the number of graphs."""
    x = _check_float(fn, "x", x)
    if x.ndim < 1:
        raise ValueError(f"{fn}: x.shape={tuple(x.shape)} must have a node dimension first")
    if batch is None:
        batch = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
    if not isinstance(batch, torch.Tensor):
        raise TypeError(f"{fn}: batch must be a torch.Tensor or None, got {type(batch).__name__}")
    if batch.dtype not in (torch.int64, torch.int32) or batch.shape != x.shape[:1]:
        raise ValueError(
            f"{fn}: batch (dtype {batch.dtype}, shape {tuple(batch.shape)}) must be an integer "
            f"tensor of shape ({x.shape[0]},): the graph of each of x's {x.shape[0]} nodes"
        )
    if batch.numel() and int(batch.min()) < 0:
        raise ValueError(f"{fn}: batch has the value {int(batch.min())}; graphs count from 0")
    present = int(batch.max()) + 1 if batch.numel() else 0
    if size is None:
        size = present
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"{fn}: size={size!r} must be an int or None")
    if size < present:
        raise ValueError(
            f"{fn}: size={size} must be more than the largest graph index in batch "
            f"({present - 1}): size is the number of graphs"
        )
    return batch.long(), size


def _readout(x: torch.Tensor, batch: torch.Tensor, size: int, reduce: str) -> torch.Tensor:
    """Sum or max of the rows of ``x`` per graph; graphs without nodes get the identity."""
    fill = {"sum": 0.0, "amax": -torch.inf}[reduce]
    out = x.new_full((size, *x.shape[1:]), fill)
    index = batch.reshape(-1, *(1,) * (x.ndim - 1)).expand_as(x)
    return out.scatter_reduce(0, index, x, reduce=reduce, include_self=True)


def global_add_pool(
    x: torch.Tensor, batch: torch.Tensor | None, size: int | None = None
) -> torch.Tensor:
    """Sum readout: the sum of the node features of each graph.

    Args:
        x: node features, floating point, ``(num_nodes, D)``.
        batch: the graph of each node, integers from 0, ``(num_nodes,)``; ``None``: all
            nodes form one graph.
        size: the number of graphs (default ``batch.max() + 1``); more leaves the last
            graphs empty.

    Shape:
        - Input: ``x`` ``(num_nodes, D)``, ``batch`` ``(num_nodes,)``
        - Output: ``(size, D)``, row ``g`` = sum of ``x[batch == g]``

    Returns:
        the sums; 0 for a graph without nodes.

    Raises:
        TypeError: ``x`` is not a floating point tensor, ``batch`` not a tensor, ``size``
            not an int.
        ValueError: ``batch`` has the wrong shape or dtype, a negative entry, or an entry
            ``>= size``; the message names the value and the rule.

    Example:
        >>> x = torch.tensor([[1.0], [2.0], [5.0]])
        >>> global_add_pool(x, torch.tensor([0, 0, 1]))
        tensor([[3.],
                [5.]])

    Source: the sum readout of Xu et al. (2019), GIN; signature of
    ``torch_geometric.nn.global_add_pool``.
    """
    batch, size = _check_batch("global_add_pool", x, batch, size)
    return _readout(x, batch, size, "sum")


def global_mean_pool(
    x: torch.Tensor, batch: torch.Tensor | None, size: int | None = None
) -> torch.Tensor:
    """Mean readout: the mean of the node features of each graph.

    Args:
        x, batch, size: as :func:`global_add_pool`.

    Shape:
        - Input: ``x`` ``(num_nodes, D)``, ``batch`` ``(num_nodes,)``
        - Output: ``(size, D)``, row ``g`` = mean of ``x[batch == g]``

    Returns:
        the means; ``nan`` for a graph without nodes (an empty mean), where PyTorch
        Geometric's ``global_mean_pool`` gives 0.

    Raises:
        TypeError, ValueError: as :func:`global_add_pool`.

    Example:
        >>> x = torch.tensor([[1.0], [2.0], [5.0]])
        >>> global_mean_pool(x, torch.tensor([0, 0, 1]))
        tensor([[1.5000],
                [5.0000]])

    Source: the mean readout of Xu et al. (2019); signature of
    ``torch_geometric.nn.global_mean_pool``.
    """
    batch, size = _check_batch("global_mean_pool", x, batch, size)
    count = torch.bincount(batch, minlength=size).to(x.dtype)
    return _readout(x, batch, size, "sum") / count.reshape(-1, *(1,) * (x.ndim - 1))


def global_max_pool(
    x: torch.Tensor, batch: torch.Tensor | None, size: int | None = None
) -> torch.Tensor:
    """Max readout: the feature-wise maximum over the nodes of each graph.

    Args:
        x, batch, size: as :func:`global_add_pool`.

    Shape:
        - Input: ``x`` ``(num_nodes, D)``, ``batch`` ``(num_nodes,)``
        - Output: ``(size, D)``, row ``g`` = maximum of ``x[batch == g]`` per feature

    Returns:
        the maxima; ``-inf`` for a graph without nodes, where PyTorch Geometric's
        ``global_max_pool`` gives 0.

    Raises:
        TypeError, ValueError: as :func:`global_add_pool`.

    Example:
        >>> x = torch.tensor([[1.0], [2.0], [5.0]])
        >>> global_max_pool(x, torch.tensor([0, 0, 1]))
        tensor([[2.],
                [5.]])

    Source: the max readout of Xu et al. (2019); signature of
    ``torch_geometric.nn.global_max_pool``.
    """
    batch, size = _check_batch("global_max_pool", x, batch, size)
    return _readout(x, batch, size, "amax")
