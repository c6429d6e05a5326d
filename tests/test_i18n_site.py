"""The two editions of the built site (tools/i18n_build.py): ``_build/html/en`` and
``_build/html/zh-cn`` with the same pages, a root redirect, the right ``lang`` on every
page, Chinese chrome (table of contents, search box) on Chinese pages, glued values in
both editions, no MyST markup leaked into translated text, a language switcher on every
page that lands on the same page of the other edition (in the browser), and a Chinese
search that finds a page by a Chinese word."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import polib
import yaml
from site_checks import EDITION_PREFIXES, RAW_TEX, ROOT, SWITCHES, switch_problems

CJK = re.compile(r"[\u4e00-\u9fff]")
# What MyST source looks like when it reached the page unrendered.
LEAKED_MARKUP = re.compile(
    r"\*\*|`|\{(?:term|doc|ref|glue(?::\w+)?|cite(?::\w+)?|numref|eq|math)\}|\]\(|:::"
)


def _is_redirect(html: str) -> bool:
    return 'http-equiv="refresh"' in html.lower()


def _pages(folder, pages):
    """``(page, html)`` of every page that is not a redirect."""
    for page in pages:
        html = (folder / page).read_text(encoding="utf-8")
        if not _is_redirect(html):
            yield page, html


def test_both_editions_have_the_same_pages(site_pages, site_pages_zh):
    assert site_pages == site_pages_zh
    assert "book/index.html" in site_pages and "notebooks/pooling.html" in site_pages


def test_the_site_root_sends_the_reader_to_the_english_edition(built_root):
    html = (built_root / "index.html").read_text(encoding="utf-8")
    target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
    assert target, html
    assert target.group(1) == "en/book/index.html"
    assert (built_root / target.group(1)).is_file()
    assert '<a href="en/book/index.html">' in html  # also without meta refresh
    assert "<script" not in html


def test_every_page_declares_its_language(built_site, site_pages, built_site_zh, site_pages_zh):
    for folder, pages, tag in (
        (built_site, site_pages, "en"),
        (built_site_zh, site_pages_zh, "zh-CN"),
    ):
        for page, html in _pages(folder, pages):
            lang = re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"", html)
            assert lang and lang.group(1) == tag, (folder.name, page, lang and lang.group(1))


def _caption_translations() -> dict[str, str]:
    """English part caption -> its translation in the root page's catalogue."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    root = re.sub(r"\.(md|ipynb)$", "", toc["root"])
    catalogue = polib.pofile(str(ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / f"{root}.po"))
    strings = {e.msgid: e.msgstr for e in catalogue if e.msgstr and not e.fuzzy}
    return {part["caption"]: strings.get(part["caption"], "") for part in toc["parts"]}


def test_chinese_pages_have_a_chinese_table_of_contents_and_search_box(
    built_site, built_site_zh, site_pages_zh
):
    captions = _caption_translations()
    for page, html in _pages(built_site_zh, site_pages_zh):
        shown = re.findall(
            r'<p aria-level="2" class="caption" role="heading"><span class="caption-text">([^<]+)',
            html,
        )
        assert shown, page
        for english, chinese in captions.items():
            assert (chinese or english) in shown, (page, english, chinese, shown)
        assert 'placeholder="搜索本书……"' in html, page
        assert "Search this book" not in html, page
    english = (built_site / "book" / "index.html").read_text(encoding="utf-8")
    assert 'placeholder="Search this book..."' in english
    assert all(caption in english for caption in captions)


def test_glued_values_are_on_both_editions(built_site, built_site_zh, site_pages):
    """A translated paragraph keeps its glued numbers (tools/i18n_ext.py qualifies the
    keys): each page pastes as many values in Chinese as in English, the same ones."""
    pasted = re.compile(r'<span class="pasted-text">([^<]*)</span>')
    glued_pages = 0
    for page, html in _pages(built_site, site_pages):
        zh = (built_site_zh / page).read_text(encoding="utf-8")
        english, chinese = pasted.findall(html), pasted.findall(zh)
        assert sorted(english) == sorted(chinese), page
        glued_pages += bool(english)
    assert glued_pages >= 3, "glue is hardly used: is the check exercised?"


class _VisibleText(HTMLParser):
    """The text of a page's article outside code, math, scripts and notebook outputs."""

    SKIP_TAGS = {"pre", "code", "script", "style", "kbd", "samp", "tt", "textarea"}
    SKIP_CLASSES = ("math", "highlight", "cell_output", "output", "pooling-explorer")
    VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "col"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []
        self.in_article = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = dict(attrs).get("class") or ""
        skip = tag in self.SKIP_TAGS or any(
            name == c or name.startswith(c + "_") or name.startswith(c + "-")
            for name in classes.split()
            for c in self.SKIP_CLASSES
        )
        self.stack.append(skip or (bool(self.stack) and self.stack[-1]))
        if tag == "article":
            self.in_article += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.stack:
            self.stack.pop()
        if tag == "article":
            self.in_article -= 1

    def handle_data(self, data):
        if self.in_article and not (self.stack and self.stack[-1]):
            self.parts.append(data)


def leaked_markup(html: str) -> list[str]:
    """Pieces of MyST source (``**``, backticks, roles, ``$`` math, links) in the visible
    article text of ``html``, with some context."""
    parser = _VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    found = []
    for pattern in (LEAKED_MARKUP, RAW_TEX):
        for match in pattern.finditer(text):
            found.append(repr(text[max(0, match.start() - 30) : match.end() + 30]))
    return found


def test_the_markup_detector_can_fail():
    good = '<article><p>汇聚 <span class="math">\\(x\\)</span> <code>`a`</code></p></article>'
    assert leaked_markup(good) == []
    for bad in ("**粗体**", "{term}`汇聚层`", "{glue:text}`x:.2f`", "$p$ 是", "[链接](x.md)"):
        assert leaked_markup(f"<article><p>{bad}</p></article>"), bad


def test_no_markup_leaked_on_any_page(built_site, site_pages, built_site_zh, site_pages_zh):
    """Translated paragraphs are parsed as MyST too: no literal ``**``, role, backtick or
    ``$`` reaches a page of either edition."""
    problems = []
    for folder, pages in ((built_site_zh, site_pages_zh), (built_site, site_pages)):
        for page, html in _pages(folder, pages):
            problems += [f"{folder.name}/{page}: {piece}" for piece in leaked_markup(html)]
    assert not problems, "\n".join(problems)


def test_every_chinese_page_works_offline(site_pages_zh, inspect_page_zh, site_root_url):
    """What tests/test_browser.py checks of every English page, on every Chinese page:
    no console error, failed or external request, raw TeX, broken image, undrawn
    explorer or serious axe-core violation; and, once its scripts ran, the one language
    switcher, labelled English, leads to the same page of the English edition."""
    problems = []
    for page in site_pages_zh:
        report = inspect_page_zh(page)
        problems += report.problems()
        problems += switch_problems(report.language_switches, report.url, site_root_url)
    assert not problems, "\n".join(problems)


class _Switches(HTMLParser):
    """Every ``a.pi-language-switch`` of a page's HTML: its attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "a" and "pi-language-switch" in attrs.get("class", "").split():
            self._open = {**attrs, "text": ""}
            self.found.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def test_the_switcher_links_every_page_to_the_same_page_in_the_other_edition(
    browser, site_root_url, site_pages, built_site, built_root
):
    """On every page of both editions, the switcher (labelled in the other language,
    with its lang) is a plain link in the page's HTML, so it works without scripts, to
    the same page path under the other prefix, a page of the site; a click on it (scripts,
    styles and images not loaded) lands there, served with HTTP 200. The tours
    (test_every_page_works_offline, test_every_chinese_page_works_offline) check the same
    switcher on every page once its scripts ran."""
    problems = []
    checked = 0
    for path, _ in _pages(built_site, site_pages):
        for prefix in EDITION_PREFIXES.values():
            url = f"{site_root_url}{prefix}/{path}"
            parser = _Switches()
            parser.feed((built_root / prefix / path).read_text(encoding="utf-8"))
            switches = [
                {"text": a["text"].strip(), "lang": a.get("lang", ""), "href": urljoin(url, href)}
                for a in parser.found
                for href in [a.get("href", "")]
            ]
            problems += switch_problems(switches, url, site_root_url)
            target = switches[0]["href"].removeprefix(site_root_url) if switches else ""
            if switches and not (built_root / target).is_file():
                problems.append(f"{url}: switcher leads to {target}, not a page of the site")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked == 2 * len(list(_pages(built_site, site_pages)))
    # The click itself: a plain link, followed without scripts, styles or images.
    page = browser.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.abort()
            if urlsplit(route.request.url).hostname != "127.0.0.1"
            or route.request.resource_type in ("image", "font", "media", "script", "stylesheet")
            else route.continue_()
        ),
    )
    try:
        for language, (other, _, _) in SWITCHES.items():
            path = "notebooks/pooling.html"
            page.goto(f"{site_root_url}{EDITION_PREFIXES[language]}/{path}")
            expected = f"{site_root_url}{EDITION_PREFIXES[other]}/{path}"
            with page.expect_navigation(wait_until="domcontentloaded") as nav:
                page.locator("a.pi-language-switch").click()
            response = nav.value
            assert page.url == expected, (language, page.url, expected)
            assert response is not None and response.status == 200, (expected, response)
    finally:
        page.close()


def test_chinese_search_finds_a_page_by_a_chinese_word(browser, site_url_zh, built_site_zh):
    """Sphinx's Chinese search (jieba segments the text: 汇聚层 -> 汇聚, 层) finds the
    glossary, written in Chinese, by the word 汇聚 (pooling)."""
    index = (built_site_zh / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1 : index.rindex(")")])
    glossary = data["docnames"].index("book/glossary")
    docs = data["terms"].get("汇聚")
    assert docs is not None, "jieba did not put the word 汇聚 into the search index"
    assert glossary in (docs if isinstance(docs, list) else [docs])
    page = browser.new_page()
    page.goto(urljoin(site_url_zh, "search.html?q=汇聚"), wait_until="load")
    # Sphinx shows the hits one by one (a 5 ms timer each) and then writes the summary
    # ("found N pages" or "did not match"): wait for the summary, not for a first hit.
    page.wait_for_function(
        "() => (document.querySelector('#search-results .search-summary')?.innerText ?? '')"
        ".trim() !== ''",
        timeout=30_000,
    )
    hits = page.eval_on_selector_all("#search-results li a", "els => els.map(a => a.href)")
    page.close()
    assert any("book/glossary.html" in hit for hit in hits), hits
    assert all("/zh-cn/" in hit for hit in hits), hits


def test_the_switcher_sits_in_the_header_bar_beside_the_buttons(browser, site_root_url):
    """The switcher is one row with the header's buttons, inside the sticky header bar, at
    1280 px and on a phone (the theme stacks its end items, which once put it below the
    bar, over the page's text)."""
    for width, height in ((1280, 800), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        try:
            for prefix in EDITION_PREFIXES.values():
                page.goto(f"{site_root_url}{prefix}/notebooks/explorer.html")
                boxes = page.evaluate(
                    """() => {
                      const box = (el) => el.getBoundingClientRect().toJSON();
                      const s = document.querySelector('.pi-language-switch');
                      const bar = document.querySelector('.bd-header-article');
                      const button = bar.querySelector('.article-header-buttons .btn');
                      return {switch: box(s), bar: box(bar), button: box(button)};
                    }"""
                )
                sw, bar, button = boxes["switch"], boxes["bar"], boxes["button"]
                where = f"{prefix} at {width} px: {boxes}"
                assert bar["top"] - 1 <= sw["top"] and sw["bottom"] <= bar["bottom"] + 1, where
                assert abs(sw["top"] + sw["height"] / 2 - button["top"] - button["height"] / 2) < 4
                assert button["top"] >= bar["top"] - 1, where  # no button pushed off the screen
        finally:
            page.close()
