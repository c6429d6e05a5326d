"""Sphinx extension: keep every page of the book free of requests to other hosts.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``. For each HTML page it

1. drops repeated inline scripts: Sphinx 7.4 registers a body-only script added after
   ``builder-inited`` twice (once with filename ``None``, once with ``""``), so
   sphinx-thebe's ``const THEBE_JS_URL = ...`` ran twice and threw a SyntaxError;
2. rewrites the CDN addresses in ``REWRITES`` found in the page body (notebook outputs)
   to the copies the site serves itself under ``vendor/`` (staged by
   ``tools/vendor_assets.py``), as a path relative to the page;
3. warns (an error under ``jupyter-book build -W``) about any script or stylesheet the
   page would still load from another host, whether Sphinx, the theme, myst-nb or a
   notebook output asked for it.

The browser test (``tests/test_browser.py``) checks the same thing at run time.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# CDN address -> path of the vendored copy, relative to the root of the built site.
REWRITES = {
    # matplotlib's Animation.to_jshtml() links Font Awesome 4 for its buttons.
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css": (
        "vendor/font-awesome/css/font-awesome.min.css"
    ),
}

# A script, stylesheet, image, frame or CSS import whose address names a host.
REMOTE_ASSET = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*?\ssrc=["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|<link\b[^>]*?\shref=["']?((?:https?:)?//[^"'\s>]+)[^>]*>"""
    r"""|@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)
# <link> elements that are references, not loads.
LINK_IS_REFERENCE = re.compile(r"""\srel=["']?(?:canonical|alternate|author|license)""", re.I)


def _asset_name(asset: Any) -> str:
    return str(getattr(asset, "filename", asset) or "")


def _script_key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    return (_asset_name(script), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def rewrite_and_check(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context`` handler: dedupe scripts, rewrite known CDN links, warn."""
    scripts = context.get("script_files")
    if scripts:
        unique = {_script_key(script): script for script in reversed(scripts)}
        context["script_files"] = [s for s in scripts if unique.get(_script_key(s)) is s]

    body = context.get("body") or ""
    pathto = context["pathto"]
    for remote, local in REWRITES.items():
        if remote in body:
            body = body.replace(remote, pathto(local, resource=True))
    context["body"] = body

    assets = [*context.get("script_files", ()), *context.get("css_files", ())]
    remote_assets = [
        name for name in map(_asset_name, assets) if "://" in name or name.startswith("//")
    ]
    for match in REMOTE_ASSET.finditer(body):
        if match.group(2) and LINK_IS_REFERENCE.search(match.group(0)):
            continue
        remote_assets.append(next(g for g in match.groups() if g))
    for url in dict.fromkeys(remote_assets):
        logger.warning(
            "page %r would load %s from another host; vendor it (tools/vendor_assets.py) "
            "and add it to REWRITES in tools/offline_assets.py",
            pagename,
            url,
            type="offline_assets",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    # Run after myst-nb and sphinx.ext.mathjax have added their scripts (priority 500).
    app.connect("html-page-context", rewrite_and_check, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
