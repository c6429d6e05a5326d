"""Private vectorized kernels behind ``pooling_lib.functional``.

``geometry`` (window slots and phases of the average pooling loops), ``running_max`` (window
maxima one dimension at a time, in a number of operations that does not grow with the
window), ``common`` (shared plumbing: output layout, work chunks, padding value, accumulation
dtype, ordered scatter-add, the autograd helpers), ``max``, ``avg`` and ``adaptive`` (forward
and backward passes).

The kernels write into preallocated outputs and take data-dependent shortcuts (``.item()``
checks for NaN and -0.0), so they run only on plain tensors. A call runs them directly when
no autograd is involved; otherwise it goes through an ``autograd.Function``
(``max.MaxPoolFunction``, ``adaptive.AdaptiveMaxPoolFunction``, ``common.LinearPool`` for
the linear average poolings) whose ``forward`` sees unwrapped tensors, whose ``vmap`` rule
merges the vmapped dimension into the batch, whose ``jvp`` gathers (max) or pools (average)
the tangent, and whose ``backward`` runs the fast kernels on plain gradients but
differentiable out-of-place operations when the backward pass is itself differentiated,
transformed or on ``meta`` tensors. ``meta`` inputs get outputs of the right shape and
layout without values.
"""
