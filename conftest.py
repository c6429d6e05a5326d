"""Root conftest, loaded for every pytest run in this repository (including
``pytest notebooks/x.ipynb``): it puts ``tools/`` on the path and loads the plugin
``tools/nbval_setup.py``, which runs nbval's kernels under ``tools/notebook_env.py`` and
the way Jupyter runs cells. Fixtures shared by tests live in ``tests/conftest.py``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).absolute().parent / "tools"))

pytest_plugins = ["nbval_setup"]
