"""Sphinx extension: a page with a pooling explorer loads the explorer's script in its head,
deferred and ahead of MathJax.

Deferred scripts run in document order once the page is parsed, so the explorer's script
(``pooling_book.explorer.widget.SITE_MODULE``, a classic script that also runs from
``file://``) mounts every explorer of the page before MathJax, which Sphinx also defers,
starts typesetting: the explorers are interactive as soon as the page is parsed. The
loader each explorer output carries sees this script (its id) and adds no second copy;
outside the book's pages (a notebook viewer, say) that loader alone loads it.
"""

from __future__ import annotations

from pooling_book.explorer.widget import SCRIPT_ID, SITE_MODULE

# Sphinx adds MathJax with the default priority 500; lower numbers come first.
PRIORITY = 400


def add_explorer_script(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or 'class="pooling-explorer"' not in context.get("body", ""):
        return
    # Sphinx prefixes "_static/" and makes the path relative to the page (as mathjax_path).
    app.builder.add_js_file("../" + SITE_MODULE, priority=PRIORITY, defer="defer", id=SCRIPT_ID)


def setup(app):
    app.connect("html-page-context", add_explorer_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
