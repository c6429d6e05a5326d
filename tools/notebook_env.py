"""The environment every notebook kernel runs under, for authors and for nbval alike.

Stored outputs are compared character for character by nbval, so the kernel that
produced them (``make notebooks``) and the kernel that checks them (``make test``)
must see the same settings for everything that would otherwise vary between runs:

* ``SOURCE_DATE_EPOCH``: matplotlib writes it as the ``<dc:date>`` of SVG figures
  instead of the current time.
* ``MATPLOTLIBRC`` -> ``tools/matplotlibrc``: fixes ``svg.hashsalt``, so the ids
  of clip paths and glyphs in SVG figures are the same in every run.
* ``PYTHONHASHSEED``: set and dict-of-str iteration order no longer changes per process.
* ``OMP_NUM_THREADS``/``MKL_NUM_THREADS``: one thread, so float reductions add in
  the same order on every run on one machine (and the shared CPU is not
  oversubscribed). Another processor may still pick other kernels (oneDNN, MKL, ATen's
  vectorized code) and so another order: numbers from trained networks are therefore
  not compared digit for digit (CONTRIBUTING.md, "How each kind of output is checked").
* ``TZ``, ``LC_ALL``: no output depends on the machine's time zone or locale.
* ``MPLCONFIGDIR`` -> ``_build/matplotlib``: matplotlib's font cache is built in the
  checkout on first use, so it lists the fonts installed now (a cache in ``~/.cache``
  made before ``fonts-wqy-microhei`` was installed would lack the CJK font).
* ``PYTHONWARNINGS``: matplotlib's warning that a glyph is missing from every configured
  font (it would draw an empty box, e.g. for a Chinese term) is an error, so a figure
  with boxes cannot be stored or pass nbval (fonts: ``tools/matplotlibrc``).

Used by ``tests/conftest.py`` (nbval kernels inherit the pytest process's environment)
and by ``tools/execute_notebooks.py`` (``make notebooks``).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATPLOTLIBRC = ROOT / "tools" / "matplotlibrc"
MPLCONFIGDIR = ROOT / "_build" / "matplotlib"
# matplotlib: "Glyph 27719 (\\N{CJK UNIFIED IDEOGRAPH-6C47}) missing from current font."
GLYPH_WARNINGS_ARE_ERRORS = "error:Glyph:UserWarning"


def notebook_env() -> dict[str, str]:
    """Return the variables (name -> value) that make notebook outputs reproducible."""
    return {
        "SOURCE_DATE_EPOCH": "1700000000",
        "MATPLOTLIBRC": str(MATPLOTLIBRC),
        "MPLCONFIGDIR": str(MPLCONFIGDIR),
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TZ": "UTC",
        "LC_ALL": "C.UTF-8",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "PYTHONWARNINGS": GLYPH_WARNINGS_ARE_ERRORS,
    }


def apply(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, str]:
    """Write :func:`notebook_env` into ``environ`` (default ``os.environ``) and return it."""
    target = os.environ if environ is None else environ
    target.update(notebook_env())
    return dict(target)
