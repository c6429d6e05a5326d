"""Private vectorized kernels behind ``pooling_lib.functional``.

``geometry`` (window slots, phases, index tables), ``common`` (shared plumbing: output layout,
work chunks, padding value, accumulation dtype, ordered scatter-add), ``max``, ``avg`` and
``adaptive`` (forward and backward passes).
"""
