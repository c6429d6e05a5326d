"""pooling_lib: pooling layers written twice, once as plain loops and once vectorized.

``pooling_lib.loops`` holds the readable reference versions used in class.
The package top level mirrors ``torch.nn.functional`` (``max_pool2d``, ``avg_pool2d``, ...)
and ``pooling_lib.nn`` mirrors ``torch.nn`` (``MaxPool2d``, ...).
"""

__version__ = "0.1.0"
