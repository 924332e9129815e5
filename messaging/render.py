"""Message bodies: Markdown in, sanitised HTML out.

Raw HTML in the Markdown is not interpreted, and the result is cleaned again by nh3 (Ammonia), so a
message can never carry script, styles or tracking images. Links are marked external and open without
telling the other site where the reader came from.
"""

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4",
    "hr", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}

MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def to_html(body: str) -> str:
    html = _markdown.render(body)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="external nofollow noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


# Block tokens after which the words of the next block must not run on into the last word of this one.
_BLOCK_ENDS = {
    "paragraph_close", "heading_close", "list_item_close", "blockquote_close", "th_close", "td_close",
    "tr_close", "hr", "fence", "code_block",
}  # fmt: skip


def to_text(body: str) -> str:
    """The words of the message as plain text, without Markdown syntax: what a reader sees, read off
    markdown-it's token stream (emphasis and code marks, link targets, list bullets and headings' hashes go;
    the text of links, images' descriptions and code stay). Whitespace is collapsed to single spaces."""
    pieces: list[str] = []
    for token in _markdown.parse(body):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in {"text", "code_inline", "html_inline"}:
                    pieces.append(child.content)
                elif child.type in {"softbreak", "hardbreak"}:
                    pieces.append(" ")
                elif child.type == "image":
                    pieces.append(" ".join(grand.content for grand in child.children or []))
        elif token.type in {"fence", "code_block", "html_block"}:
            pieces.append(token.content)
        if token.type in _BLOCK_ENDS:
            pieces.append(" ")
    return " ".join("".join(pieces).split())


def mentioned_addresses(body: str) -> set[str]:
    """Addresses written as @name@example.org in the body."""
    return {match.lower() for match in MENTION.findall(body)}
