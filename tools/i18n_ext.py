"""Sphinx extension for the book's two editions (English and 简体中文) from one source.

Loaded by ``_config.yml`` for every build; it does nothing special for English except the
language switcher. A build with ``language = "zh_CN"`` (``tools/i18n_build.py`` passes it)
additionally gets:

* **Catalogues with qualified glue keys.** Sphinx reads the translations from a copy of
  the catalogues of ``locale_dirs`` (``locale/``) in the build's doctree folder
  (``<doctreedir>/locale``), written at config-inited time and only where a file
  changed (so incremental builds stay incremental). In that copy every inline glue role
  of a notebook's catalogue, ``{glue:text}`key:fmt```, becomes
  ``{glue:text}`x.ipynb::key:fmt``` (``:s`` added when there is no format): a translated
  paragraph is parsed on its own, without the notebook's glue data, and myst-nb finds
  the value only through the notebook-qualified form. Translators write keys as the
  English has them. (``{glue:md}`` has no qualified form in myst-nb 1.4: avoid it in
  translated text.)
* **A Chinese table of contents.** The part captions of ``_toc.yml`` are extracted into the
  root page's catalogue (``book/index.po``); the build uses a copy of ``_toc.yml`` whose
  captions are those entries' translations (``<doctreedir>/_toc.<language>.yml``).
* **Chinese user-interface strings** Jupyter Book hard-codes (the search box's placeholder
  "Search this book...") and the translated book title.
* **Notebooks with translated outputs.** For a chapter ``notebooks/<name>``, if
  ``locale/<language>/notebooks/<name>.ipynb`` exists (config ``i18n_notebook_dir``; made
  by tools/zh_notebooks.py), Sphinx reads that file instead: the notebook executed under
  the Chinese locale, whose figures carry Chinese labels. Its markdown may be English
  (gettext translates it) or already translated (no msgid matches; it stays as it is).
  The page's Binder and Colab buttons open that notebook.
  Likewise an exercise page ``book/exercises/<name>`` reads the translated student release
  ``locale/<language>/exercises/<name>.ipynb`` (config ``i18n_exercise_dir``; made by
  exercises/build.py), so its buttons open the Chinese release.

Every page of both editions gets a language switcher (``_templates/language-switcher.html``)
linking to the same page in the other edition, and ``<link rel="alternate" hreflang>``.
Editions live side by side under one site root with the same page paths: ``en/...`` and
``zh-cn/...`` (``EDITIONS``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import yaml
from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

# Sphinx language -> (site prefix, BCP 47 tag, the edition's name in its own language).
EDITIONS: dict[str, tuple[str, str, str]] = {
    "en": ("en", "en", "English"),
    "zh_CN": ("zh-cn", "zh-CN", "中文"),
}
SOURCE_LANGUAGE = "en"
# Strings Jupyter Book and this extension hard-code, per language.
UI_STRINGS: dict[str, dict[str, str]] = {
    "zh_CN": {
        "search_bar_text": "搜索本书……",
        "switch_title": "阅读本页的英文版",
        # myst-nb's toggle of a hidden code cell ("Show code cell {type}"): the chapters
        # hide only cells' sources (hide-input), so the Chinese names the code.
        "nb_code_prompt_show": "显示代码",
        "nb_code_prompt_hide": "隐藏代码",
    },
    "en": {
        "switch_title": "Read this page in Chinese",
    },
}
# An inline glue role without a document part: {glue}`key`, {glue:text}`key:fmt`, ...
GLUE_ROLE = re.compile(r"\{(glue(?::[a-z]+)?)\}`(?![^`]*::)([^`]+)`")


def edition(language: str | None) -> tuple[str, str, str]:
    """``(prefix, tag, name)`` of the edition built with Sphinx ``language``."""
    language = language or SOURCE_LANGUAGE
    if language not in EDITIONS:
        raise ValueError(
            f"language={language!r}: the book has editions only for {sorted(EDITIONS)} "
            "(tools/i18n_ext.py EDITIONS)"
        )
    return EDITIONS[language]


def other_language(language: str | None) -> str:
    """The language the switcher of a ``language`` page links to (two editions)."""
    language = language or SOURCE_LANGUAGE
    others = [lang for lang in EDITIONS if lang != language]
    return others[0]


def qualify_glue(text: str, notebook: str) -> str:
    """``text`` with every inline glue role that names no document qualified by
    ``notebook`` (a file name relative to the page, e.g. ``pooling.ipynb``)."""

    def qualified(match: re.Match) -> str:
        role, content = match.group(1), match.group(2)
        if role == "glue:md":
            return match.group(0)  # myst-nb 1.4's {glue:md} has no qualified form
        if role == "glue:text" and ":" not in content:
            # myst-nb splits the format off at the last colon, so a qualified key
            # without one would lose its last part: give it the default format.
            content += ":s"
        return f"{{{role}}}`{notebook}::{content}`"

    return GLUE_ROLE.sub(qualified, text)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_catalogues(sources: list[Path], srcdir: Path, language: str, dest: Path) -> Path:
    """Copy the catalogues ``<source>/<language>/LC_MESSAGES/**.po`` of every folder in
    ``sources`` (Sphinx's ``locale_dirs``) to ``dest/<language>/LC_MESSAGES``, with the
    glue roles of notebook catalogues qualified; return ``dest``.

    A page's catalogue is a notebook's when ``srcdir/<page>.ipynb`` exists. Files that
    would not change are left alone (Sphinx recompiles a ``.mo``, and re-reads its page,
    only when the ``.po`` is newer); catalogues no longer in any source are removed.
    """
    target = dest / language / "LC_MESSAGES"
    wanted = set()
    for source_dir in sources:
        source = source_dir / language / "LC_MESSAGES"
        for po_path in sorted(source.rglob("*.po")):
            rel = po_path.relative_to(source)
            if rel in wanted:
                continue  # Sphinx too uses the first folder that has the catalogue
            notebook = srcdir / rel.with_suffix(".ipynb")
            catalogue = polib.pofile(str(po_path), wrapwidth=0)
            if notebook.is_file():
                for entry in catalogue:
                    if entry.msgstr:
                        entry.msgstr = qualify_glue(entry.msgstr, notebook.name)
            _write_if_changed(target / rel, str(catalogue))
            wanted.add(rel)
    if target.is_dir():
        for old in target.rglob("*.po"):
            if old.relative_to(target) not in wanted:
                old.unlink()
                old.with_suffix(".mo").unlink(missing_ok=True)
    return dest


def root_catalogue(locale_dir: Path, language: str, root_doc: str) -> dict[str, str]:
    """msgid -> msgstr of the root page's catalogue (translated, non-fuzzy entries)."""
    path = locale_dir / language / "LC_MESSAGES" / f"{root_doc}.po"
    if not path.is_file():
        return {}
    return {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(path))
        if entry.msgstr and not entry.fuzzy and not entry.obsolete
    }


def translate_toc(toc: dict, translations: dict[str, str]) -> dict:
    """A copy of a parsed ``_toc.yml`` with every ``caption`` translated (kept where the
    catalogue has no translation)."""
    if isinstance(toc, dict):
        return {
            key: (
                translations.get(value, value)
                if key == "caption" and isinstance(value, str)
                else translate_toc(value, translations)
            )
            for key, value in toc.items()
        }
    if isinstance(toc, list):
        return [translate_toc(item, translations) for item in toc]
    return toc


def _config_inited(app: Sphinx, config) -> None:
    """Point a translated build at its catalogues, table of contents and UI strings."""
    language = config.language or SOURCE_LANGUAGE
    edition(language)  # refuse unknown languages with a clear error
    ui = UI_STRINGS.get(language, {})
    if "search_bar_text" in ui:
        config.html_theme_options = {
            **(config.html_theme_options or {}),
            "search_bar_text": ui["search_bar_text"],
        }
    for name in ("nb_code_prompt_show", "nb_code_prompt_hide"):
        if name in ui:
            setattr(config, name, ui[name])
    if language == SOURCE_LANGUAGE:
        return
    srcdir = Path(app.srcdir)
    build_dir = Path(app.doctreedir)
    sources = [srcdir / folder for folder in config.locale_dirs]
    built = build_catalogues(sources, srcdir, language, build_dir / "locale")
    config.locale_dirs = [str(built)]
    toc_path = getattr(config, "external_toc_path", None)
    toc = None
    root_doc = config.root_doc
    if toc_path:
        toc_file = Path(toc_path) if Path(toc_path).is_absolute() else srcdir / toc_path
        toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
        # sphinx-external-toc sets root_doc from the TOC after this handler
        root_doc = re.sub(r"\.(md|ipynb)$", "", str(toc.get("root", root_doc)))
    translations = root_catalogue(built, language, root_doc)
    if getattr(config, "html_title", None) in translations:
        config.html_title = translations[config.html_title]
    if toc is not None:
        translated = build_dir / f"_toc.{language}.yml"
        _write_if_changed(
            translated, yaml.safe_dump(translate_toc(toc, translations), allow_unicode=True)
        )
        config.external_toc_path = str(translated)


def _builder_inited(app: Sphinx) -> None:
    """Give each edition its own myst-nb output folder (glue caches, images): the editions
    build side by side, and myst-nb would otherwise share ``<outdir>/../jupyter_execute``."""
    nb_config = getattr(app.env, "mystnb_config", None)
    if nb_config is not None:
        folder = Path(app.doctreedir) / "jupyter_execute"
        app.env.mystnb_config = nb_config.copy(output_folder=str(folder.resolve()))


def notebook_substitute(app: Sphinx, docname: str) -> Path | None:
    """The translated notebook a translated build reads for ``docname``, if any:
    ``<i18n_notebook_dir>/<name>.ipynb`` for a chapter ``notebooks/<name>`` (the folder is
    flat: tools/zh_notebooks.py writes one Chinese notebook per chapter), and
    ``<i18n_exercise_dir>/<name>.ipynb`` for an exercise page ``book/exercises/<name>`` (the
    translated student release, so its Binder and Colab buttons open the Chinese release)."""
    language = app.config.language or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        return None
    if not (Path(app.srcdir) / f"{docname}.ipynb").is_file():
        return None
    folders = {
        "notebooks/": app.config.i18n_notebook_dir,
        "book/exercises/": app.config.i18n_exercise_dir,
    }
    for prefix, folder in folders.items():
        if docname.startswith(prefix):
            candidate = Path(app.srcdir) / folder.format(language=language)
            candidate = candidate / f"{docname.removeprefix(prefix)}.ipynb"
            return candidate if candidate.is_file() else None
    return None


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    substitute = notebook_substitute(app, docname)
    if substitute is not None:
        source[0] = substitute.read_text(encoding="utf-8")
        app.env.note_dependency(str(substitute))


def switch_link(pagename: str, language: str | None) -> dict[str, str]:
    """What the switcher of page ``pagename`` (a docname) of the ``language`` edition
    shows: the other edition's same page, relative to this page."""
    other = other_language(language)
    prefix, tag, name = edition(other)
    up = "../" * (pagename.count("/") + 1)
    return {
        "href": f"{up}{prefix}/{pagename}.html",
        "lang": tag,
        "label": name,
        "title": UI_STRINGS.get(language or SOURCE_LANGUAGE, {}).get("switch_title", name),
    }


def _relaunch(buttons, old: str, new: str) -> None:
    """Point every launch button (nested dicts with ``url``) from ``old`` to ``new``."""
    for button in buttons or ():
        if isinstance(button, dict):
            if isinstance(button.get("url"), str):
                button["url"] = button["url"].replace(old, new)
            _relaunch(button.get("buttons"), old, new)


def _launch_translated_notebook(app: Sphinx, pagename: str, templatename, context, doctree):
    """Binder and Colab open the Chinese notebook (the theme's buttons, added at priority
    501, name the page's own notebook)."""
    substitute = notebook_substitute(app, pagename)
    if substitute is not None:
        rel = substitute.relative_to(Path(app.srcdir)).as_posix()
        _relaunch(context.get("header_buttons"), f"/{pagename}.ipynb", f"/{rel}")


def _html_page_context(app: Sphinx, pagename: str, templatename: str, context, doctree):
    """The switcher's link, before the theme renders its header sections (priority 500)."""
    language = app.config.language or SOURCE_LANGUAGE
    link = switch_link(pagename, language)
    context["i18n_switch"] = link
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{link["lang"]}" href="{link["href"]}" />'
    )


def setup(app: Sphinx) -> dict:
    app.add_config_value("i18n_notebook_dir", "locale/{language}/notebooks", "env", [str])
    # The exercise pages' translated release (exercises/build.py --publish-zh writes it).
    app.add_config_value("i18n_exercise_dir", "locale/{language}/exercises", "env", [str])
    app.connect("config-inited", _config_inited, priority=400)  # before sphinx-external-toc
    app.connect("builder-inited", _builder_inited, priority=900)  # after myst-nb
    app.connect("source-read", _source_read)
    app.connect("html-page-context", _html_page_context, priority=400)  # before the theme
    app.connect("html-page-context", _launch_translated_notebook, priority=600)  # after it
    return {"parallel_read_safe": True, "parallel_write_safe": True}
