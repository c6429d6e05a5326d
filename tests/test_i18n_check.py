"""The Chinese catalogues are complete and current, and the check that says so can fail:
a changed English sentence makes its entry fuzzy, a translation that drops a role fails
(tools/i18n_check.py), and the build-time helpers of tools/i18n_ext.py do what they say."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polib
import pytest
from site_checks import ROOT

sys.path.insert(0, str(ROOT / "tools"))

import i18n_check  # noqa: E402
import i18n_ext  # noqa: E402

PAGE = "book/glossary"  # a real page with its real catalogue, copied for the tests
# Tests that extract the text (a gettext build by jupyter-book, seconds each) are `site`
# tests: `pytest -m unit` stays quick.
site = pytest.mark.site


@site
def test_the_chinese_catalogues_are_complete_and_current():
    """main allows 0 fuzzy, 0 untranslated and 0 stale entries, and no dropped markup."""
    problems = i18n_check.run(ROOT)
    assert not problems, f"{len(problems)} problem(s), fix with `make i18n` and translating:\n" + (
        "\n".join(problems[:60])
    )


@pytest.mark.parametrize(
    ("msgid", "msgstr", "dropped"),
    [
        ("see {doc}`/notebooks/pooling`", "见 {doc}`/notebooks/pooling`", None),
        ("see {doc}`/notebooks/pooling`", "见第一章", "role ('doc', '/notebooks/pooling')"),
        ("a {term}`pooling layer`", "一个{term}`汇聚层 <pooling layer>`", None),
        (
            "a {term}`pooling layer`",
            "一个{term}`汇聚层 <stride>`",
            "role ('term', 'pooling layer')",
        ),
        ("the {ref}`glossary <glossary>`", "{ref}`术语表 <glossary>`", None),
        ("{glue:text}`acc:.1f`%", "{glue:text}`x.ipynb::acc:.1f`%", None),
        ("{glue:text}`acc:.1f`%", "{glue:text}`acc:.2f`%", "role ('glue:text', 'acc:.1f')"),
        ("{cite:p}`lecun1998`", "（{cite:p}`lecun1998`）", None),
        ("{cite:p}`lecun1998`", "（LeCun，1998）", "role ('cite:p', 'lecun1998')"),
        ("$p_h \\times p_w$ window", "$p_h\\times p_w$ 窗口", None),
        ("$p_h \\times p_w$ window", "$p_h$ 窗口", "math 'p_h\\\\timesp_w'"),
        ("$$\\text{out} = n - k + 1$$", "$$\\text{输出} = n - k + 1$$", None),
        ("call `max_pool2d`", "调用 max_pool2d", "code 'max_pool2d'"),
        ("[d2l](https://d2l.ai)", "[动手学深度学习](https://d2l.ai)", None),
        ("[d2l](https://d2l.ai)", "动手学深度学习", "link 'https://d2l.ai'"),
    ],
)
def test_markup_problems(msgid, msgstr, dropped):
    problems = i18n_check.markup_problems(msgid, msgstr)
    if dropped is None:
        assert problems == []
    else:
        assert problems == [f"drops {dropped}"]


def _fill(po_path: Path) -> None:
    """Translate every untranslated or fuzzy entry of a temporary catalogue with a
    placeholder that keeps the English markup (only ever on copies)."""
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.fuzzy or not entry.msgstr:
            entry.msgstr = "译：" + entry.msgid
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    catalogue.save()


@pytest.fixture(scope="module")
def _one_page_book_template(tmp_path_factory) -> Path:
    """A copy of the book reduced to one real page (the glossary) and its catalogue,
    with the book's _config.yml and tools, translated completely (placeholders fill
    whatever the real catalogue still lacks); made once per module."""
    book = tmp_path_factory.mktemp("one_page") / "book"
    (book / "book").mkdir(parents=True)
    shutil.copy(ROOT / f"{PAGE}.md", book / f"{PAGE}.md")
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    shutil.copytree(ROOT / "tools", book / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    (book / "_toc.yml").write_text(f"format: jb-book\nroot: {PAGE}\n", encoding="utf-8")
    po_dir = book / "locale" / "zh_CN" / "LC_MESSAGES" / "book"
    po_dir.mkdir(parents=True)
    shutil.copy(ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / f"{PAGE}.po", po_dir)
    # One extraction serves the update and the check: the English does not change between.
    pots = i18n_check.extract(book.parent / "pots", book)
    i18n_check.update(pots, book / "locale")  # in step with this copy's English
    _fill(po_dir / "glossary.po")
    assert i18n_check.check(pots, book / "locale") == []
    return book


@pytest.fixture
def one_page_book(_one_page_book_template: Path, tmp_path: Path) -> Path:
    """A fresh copy, for one test, of the one-page book whose check passes."""
    return Path(shutil.copytree(_one_page_book_template, tmp_path / "book"))


def _po(book: Path) -> Path:
    return book / "locale" / "zh_CN" / "LC_MESSAGES" / f"{PAGE}.po"


@site
def test_a_changed_english_sentence_fails_the_check(one_page_book: Path):
    """Change one English sentence: the check fails as stale at once, and after
    `make i18n` (update) exactly that entry is fuzzy."""
    page = one_page_book / f"{PAGE}.md"
    text = page.read_text(encoding="utf-8")
    entry = next(
        e
        for e in polib.pofile(str(_po(one_page_book)))
        if e.msgstr and len(e.msgid) > 80 and "`" not in e.msgid and e.msgid.split()[0] in text
    )
    first_words = " ".join(entry.msgid.split()[:4])
    assert first_words in text, first_words
    page.write_text(text.replace(first_words, first_words + " (changed)", 1), encoding="utf-8")

    # One extraction of the changed English, checked before and after the update (what
    # `make i18n-check` and then `make i18n` see).
    pots = i18n_check.extract(one_page_book.parent / "pots", one_page_book)
    locale = one_page_book / "locale"
    stale = i18n_check.check(pots, locale)
    assert any("stale" in problem for problem in stale), stale

    i18n_check.update(pots, locale)
    after_update = i18n_check.check(pots, locale)
    assert len(after_update) == 1, after_update
    assert "fuzzy (English changed)" in after_update[0], after_update
    assert first_words[:20] in after_update[0]


@site
def test_a_translation_that_drops_a_role_fails_the_check(one_page_book: Path):
    catalogue = polib.pofile(str(_po(one_page_book)))
    entry = next(e for e in catalogue if "{" in e.msgid and "`" in e.msgid and e.msgstr)
    role = i18n_check.ROLE.search(entry.msgstr)
    assert role, entry.msgstr
    entry.msgstr = entry.msgstr.replace(role.group(0), "")
    catalogue.save()
    problems = i18n_check.run(one_page_book)
    assert len(problems) == 1 and "drops role" in problems[0], problems


def test_catalogues_of_removed_pages_fail_and_other_tools_catalogues_do_not(tmp_path: Path):
    pots = tmp_path / "pots"
    (pots / "book").mkdir(parents=True)
    polib.POFile().save(str(pots / "book" / "index.pot"))
    catalogues = tmp_path / "locale" / "zh_CN" / "LC_MESSAGES"
    for name in ("book/index", "book/removed", "exercises/feedback"):
        (catalogues / name).parent.mkdir(parents=True, exist_ok=True)
        polib.POFile().save(str(catalogues / f"{name}.po"))
    problems = i18n_check.check(pots, tmp_path / "locale")
    assert problems == [f"{catalogues / 'book/removed'}.po: no such page in the book (delete it)"]


def test_extraction_refuses_a_used_folder(tmp_path: Path):
    with pytest.raises(ValueError, match="stale"):
        i18n_check.extract(tmp_path)


# ----------------------------------------------------------------- tools/i18n_ext.py


def test_glue_keys_get_the_notebook_qualified_form():
    qualify = i18n_ext.qualify_glue
    assert qualify("{glue:text}`acc:.1f`%", "x.ipynb") == "{glue:text}`x.ipynb::acc:.1f`%"
    assert qualify("{glue:text}`n`", "x.ipynb") == "{glue:text}`x.ipynb::n:s`"
    assert qualify("{glue}`fig`", "x.ipynb") == "{glue}`x.ipynb::fig`"
    assert qualify("{glue:text}`y.ipynb::n:d`", "x.ipynb") == "{glue:text}`y.ipynb::n:d`"
    assert qualify("{glue:md}`t`", "x.ipynb") == "{glue:md}`t`"
    assert qualify("{doc}`n`", "x.ipynb") == "{doc}`n`"


def test_the_table_of_contents_gets_translated_captions():
    toc = {"root": "i", "parts": [{"caption": "A", "chapters": [{"file": "A"}]}]}
    out = i18n_ext.translate_toc(toc, {"A": "甲"})
    assert out == {"root": "i", "parts": [{"caption": "甲", "chapters": [{"file": "A"}]}]}
    assert i18n_ext.translate_toc(toc, {}) == toc


def test_the_switcher_links_the_same_page_of_the_other_edition():
    link = i18n_ext.switch_link("notebooks/pooling", "en")
    assert link["href"] == "../../zh-cn/notebooks/pooling.html"
    assert (link["lang"], link["label"]) == ("zh-CN", "中文")
    back = i18n_ext.switch_link("search", "zh_CN")
    assert (back["href"], back["lang"], back["label"]) == ("../en/search.html", "en", "English")
    with pytest.raises(ValueError, match="language='fr'"):
        i18n_ext.edition("fr")
