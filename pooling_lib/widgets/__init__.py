"""Interactive pooling explorers (ipywidgets + matplotlib).

``explore(X, kernel_size=3, stride=2, padding=1)`` is all a chapter needs: the live
explorer, a kernel-free player and a self-contained animation. The parts:

* :mod:`~pooling_lib.widgets.settings`: the controls' values and which mode uses which;
* :mod:`~pooling_lib.widgets.geometry`: where a window falls (padding, dilation gaps,
  ceil_mode overhang), pure;
* :mod:`~pooling_lib.widgets.compute`: pooling_lib's output, loop check or error message;
* :mod:`~pooling_lib.widgets.explain`: the arithmetic, the shape formula, the PyTorch call;
* :mod:`~pooling_lib.widgets.scene`: one frame as data; :mod:`~pooling_lib.widgets.drawing`
  draws it (with :mod:`~pooling_lib.widgets.textgrid` for fast text);
* :mod:`~pooling_lib.widgets.explorer`: the live widget;
  :mod:`~pooling_lib.widgets.frames` and :mod:`~pooling_lib.widgets.player`: the
  precomputed, kernel-free version; :mod:`pooling_lib.animation`: the HTML animation.
"""

from pooling_lib.widgets.bundle import Exploration, explore
from pooling_lib.widgets.explorer import PoolingExplorer
from pooling_lib.widgets.player import KernelFreePlayer
from pooling_lib.widgets.settings import PoolSettings

__all__ = ["Exploration", "KernelFreePlayer", "PoolSettings", "PoolingExplorer", "explore"]
