"""Markdown to safe HTML: rendered once (at sync or save time, never per request) and sanitised with nh3.

Python-Markdown passes raw HTML through, so every fragment goes through an allow-list sanitiser: no script,
no event-handler attributes, no ``javascript:`` URLs, whatever the author wrote.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

#: Rewrites a relative link (``02-designs.md#term``) to a site URL; returns None if it names nothing.
LinkResolver = Callable[[str], "str | None"]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "div": {"class", "id"},
    "span": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "p": {"class"},
    "li": {"id"},
    "sup": {"id"},
    "ol": {"start"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}


@dataclass
class Rendered:
    html: str
    #: Headings for a table of contents: dicts with ``level``, ``id`` and ``name``, nested under ``children``.
    toc: list[dict[str, Any]] = field(default_factory=list)
    #: Relative links that the resolver could not resolve, as written.
    broken_links: list[str] = field(default_factory=list)


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: markdown.Markdown, resolve: LinkResolver, broken: list[str]) -> None:
        super().__init__(md)
        self.resolve = resolve
        self.broken = broken

    def run(self, root: ET.Element) -> None:
        for link in root.iter("a"):
            href = link.get("href", "")
            if not _is_relative_document_link(href):
                continue
            target = self.resolve(href)
            if target is None:
                self.broken.append(href)
            else:
                link.set("href", target)


class _LinkExtension(Extension):
    def __init__(self, resolve: LinkResolver, broken: list[str]) -> None:
        super().__init__()
        self.resolve = resolve
        self.broken = broken

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LinkRewriter(md, self.resolve, self.broken), "lms_links", 5)


def _is_relative_document_link(href: str) -> bool:
    path = href.split("#", 1)[0]
    return bool(path) and ":" not in path and not path.startswith("/") and path.endswith(".md")


def render(text: str, resolve_link: LinkResolver | None = None) -> Rendered:
    """Render Markdown (tables, footnotes, admonitions, definition lists, fenced code, TOC) to safe HTML."""
    broken: list[str] = []
    extensions: list[Any] = [
        "tables",
        "footnotes",
        "admonition",
        "def_list",
        "fenced_code",
        "sane_lists",
        "toc",
    ]
    if resolve_link is not None:
        extensions.append(_LinkExtension(resolve_link, broken))
    md = markdown.Markdown(
        extensions=extensions,
        extension_configs={
            "toc": {"slugify": slugify_unicode, "toc_depth": "2-3"},
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )
    html = md.convert(text)
    return Rendered(html=sanitise(html), toc=_toc(getattr(md, "toc_tokens", [])), broken_links=broken)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _toc(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"level": t["level"], "id": t["id"], "name": t["name"], "children": _toc(t.get("children", []))}
        for t in tokens
    ]
