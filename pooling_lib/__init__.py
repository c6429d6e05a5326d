"""pooling_lib: pooling layers written twice, once as plain loops and once vectorized.

``pooling_lib.loops`` holds the readable reference versions used in class.
The package top level mirrors ``torch.nn.functional`` (``max_pool2d``, ``avg_pool2d``, ...,
see ``pooling_lib.functional``: same results as PyTorch, bit for bit on the CPU, except where
its docstring says pooling_lib deliberately does better) and
``pooling_lib.nn`` mirrors ``torch.nn`` (``MaxPool2d``, ...). ``pooling_lib.shapes`` holds the
output-size rule (``pooled_size``) and the argument checks (``check_pool_args``) whose error
messages name the parameter, its value and the rule.
"""

from pooling_lib.functional import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    lp_pool1d,
    lp_pool2d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    max_unpool2d,
)
from pooling_lib.generalized_mean import gem
from pooling_lib.sets import (
    global_add_pool,
    global_max_pool,
    global_mean_pool,
    masked_max,
    masked_mean,
)
from pooling_lib.shapes import check_pool_args, pooled_size

__version__ = "0.1.0"

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "check_pool_args",
    "gem",
    "global_add_pool",
    "global_max_pool",
    "global_mean_pool",
    "lp_pool1d",
    "lp_pool2d",
    "masked_max",
    "masked_mean",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_unpool2d",
    "pooled_size",
]
