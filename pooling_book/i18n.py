"""The language of the text that ``pooling_book`` draws into figures (English or 简体中文).

Drawing code takes every label through :func:`_` (``from pooling_book.i18n import _``).
The language is read once, at import, from the environment variable ``POOLING_BOOK_LANG``:

* unset, empty or ``en``: English; :func:`_` returns its argument unchanged, so the figures
  are byte for byte those of a build without translations (the stored English notebooks
  keep passing nbval);
* ``zh_CN``: Chinese, from the catalogue ``pooling_book/locale/zh_CN/LC_MESSAGES/pooling_book.mo``
  (package data, read with :mod:`importlib.resources`, so the installed wheel finds it too).
  A label the catalogue does not hold stays English.

Text that the chapters' own code cells give matplotlib (``ax.set_title("softmax pooling")``)
is translated by :func:`translate_figure_text`, which the Chinese notebooks call in their
first, hidden cell (``tools/zh_notebooks.py``): from then on every text a matplotlib artist
is given is looked up among the catalogue's entries of context ``figure`` (exact strings, or
patterns such as ``"shifted by {n}"`` whose ``{n}`` stands for any text and is carried into
the translation). The code cells themselves stay as the English notebook has them.

The catalogue's source is the ``.po`` beside the ``.mo``; after editing it, compile it with
``python tools/zh_notebooks.py --compile`` (with ``polib``, a development dependency);
``tests/test_i18n_figures.py`` fails when the committed ``.mo`` does not match the ``.po``.
The Chinese notebooks (``tools/zh_notebooks.py``) execute with ``POOLING_BOOK_LANG=zh_CN``.
"""

from __future__ import annotations

import gettext
import os
import re
from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = [
    "DOMAIN",
    "ENV_VAR",
    "FIGURE_CONTEXT",
    "LANGUAGE",
    "LANGUAGES",
    "_",
    "catalogue_path",
    "figure_text",
    "translate_figure_text",
    "translations",
]

ENV_VAR = "POOLING_BOOK_LANG"
DOMAIN = "pooling_book"
# The languages a figure can be drawn in; "en" is the source language (no catalogue).
LANGUAGES = ("en", "zh_CN")
# msgctxt of the entries for text the chapters' code cells give matplotlib.
FIGURE_CONTEXT = "figure"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _language_from_env(environ: os._Environ[str] | dict[str, str] | None = None) -> str:
    """The language ``POOLING_BOOK_LANG`` asks for ("en" when unset or empty)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if value in ("", "en"):
        return "en"
    if value not in LANGUAGES:
        raise ValueError(
            f"{ENV_VAR}={value!r} is not a language of pooling_book; "
            f"use one of {list(LANGUAGES)} (or leave it unset for English)"
        )
    return value


def catalogue_path(language: str, suffix: str = ".mo") -> Traversable:
    """Where the catalogue of ``language`` lies inside the package (``.mo`` or ``.po``)."""
    if language not in LANGUAGES or language == "en":
        raise ValueError(f"language={language!r} has no catalogue; catalogues: {LANGUAGES[1:]}")
    return files("pooling_book") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def translations(language: str) -> gettext.NullTranslations:
    """The translations of ``language``: the identity for English, else its compiled
    catalogue (``FileNotFoundError`` naming the path when it is missing)."""
    if language == "en":
        return gettext.NullTranslations()
    path = catalogue_path(language)
    if not path.is_file():
        raise FileNotFoundError(
            f"{ENV_VAR}={language!r}: no compiled catalogue at {path}; "
            f"run `python tools/zh_notebooks.py --compile`"
        )
    with path.open("rb") as fp:
        return gettext.GNUTranslations(fp)


LANGUAGE = _language_from_env()
_TRANSLATIONS = translations(LANGUAGE)


def _(message: str) -> str:
    """``message`` in the language of ``POOLING_BOOK_LANG`` (unchanged in English or when
    the catalogue lacks it). The empty string stays empty (gettext would return the
    catalogue's header for it)."""
    if not message:
        return message
    return _TRANSLATIONS.gettext(message)


def _figure_entries(
    catalogue: gettext.NullTranslations,
) -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    """The ``figure`` entries of ``catalogue``: exact msgid -> msgstr, and the patterns
    (msgids with ``{name}`` placeholders, each standing for any text) with their msgstr."""
    prefix = FIGURE_CONTEXT + "\x04"
    exact, patterns = {}, []
    for key, msgstr in getattr(catalogue, "_catalog", {}).items():
        if not (isinstance(key, str) and key.startswith(prefix)) or not msgstr:
            continue
        msgid = key[len(prefix) :]
        if _PLACEHOLDER.search(msgid):
            pieces = _PLACEHOLDER.split(msgid)  # text, name, text, name, ..., text
            regex = "".join(
                re.escape(piece) if k % 2 == 0 else f"(?P<{piece}>.+?)"
                for k, piece in enumerate(pieces)
            )
            patterns.append((re.compile(regex + r"\Z", re.DOTALL), msgstr))
        else:
            exact[msgid] = msgstr
    return exact, patterns


_FIGURE_EXACT, _FIGURE_PATTERNS = _figure_entries(_TRANSLATIONS)


def figure_text(text: str) -> str:
    """``text`` as a figure of a Chinese notebook shows it: the translation of the
    catalogue's ``figure`` entry that matches it exactly or as a pattern, else ``text``."""
    if text in _FIGURE_EXACT:
        return _FIGURE_EXACT[text]
    for regex, msgstr in _FIGURE_PATTERNS:
        match = regex.match(text)
        if match:
            return msgstr.format(**match.groupdict())
    return text


def translate_figure_text() -> None:
    """From now on, translate every text given to a matplotlib artist with
    :func:`figure_text` (titles, axis labels, legends, ``ax.text``). Nothing changes in
    English. Calling it again does nothing more."""
    if LANGUAGE == "en":
        return
    from matplotlib.text import Text

    if getattr(Text.set_text, "_pooling_book_i18n", False):
        return
    original = Text.set_text

    def set_text(self, s):
        return original(self, figure_text(s) if isinstance(s, str) and s else s)

    set_text._pooling_book_i18n = True
    set_text.__doc__ = original.__doc__
    Text.set_text = set_text
