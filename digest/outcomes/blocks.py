"""The one reader of notes' HTML: parsed once, cleaned, and walked into blocks and text.

lxml (libxml2: fast, forgiving, depth-capped at 256, which keeps hostile input
cheap) parses the page; `strip_noise` drops scripts and page furniture;
`regroup` wraps loose text beside blocks into paragraphs so that `units`
yields every heading, list, table and text block once, in reading order;
`flatten` turns one block into text with line breaks where the page breaks
lines, keeping user mentions and `<time>` dates apart as placeholders
(`Rich`) so the rules can take owners and dues out cleanly. `read_words`
(and `html_text`, its text alone) is the same walk for any caller that only
wants the words: calendar descriptions read it too, so one set of rules
decides where lines break, what is never text and which links a page holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import lxml.html
from lxml import etree


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


BLOCK = _words(
    "p div h1 h2 h3 h4 h5 h6 ul ol dl table section article main header footer aside nav "
    "blockquote pre hr li dd dt form fieldset figure details summary address center"
)


NO_REGROUP = _words("ul ol dl table thead tbody tfoot tr li p h1 h2 h3 h4 h5 h6 pre")


# Never text a reader sees, on any page.
DROP = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object", "select",
        "textarea")


# A web page's furniture rather than its content (with CHROME_BOX below): dropped from notes
# pages, kept where the author wrote every word (a calendar description).
FURNITURE = ("nav", "button", "footer")


NOT_IN_ITEM = ("ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6")


LINE_BREAKS = _words("p div li tr h1 h2 h3 h4 h5 h6 dd dt pre blockquote")


# The other blocks only keep words apart: "<section>a</section><section>b</section>" reads
# "a b", not "ab" (a line break here would put blank lines inside list items).
WORD_BREAKS = BLOCK - LINE_BREAKS


MENTION_OPEN, MENTION_CLOSE = "\ue000", "\ue001"


TIME_OPEN, TIME_CLOSE = "\ue002", "\ue003"


PLACEHOLDER = re.compile("\ue000(\\d+)\ue001|\ue002(\\d+)\ue003")


INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@dataclass
class Rich:
    """One item's text with mentions and <time> elements as numbered placeholders."""

    text: str
    mentions: list[str] = field(default_factory=list)
    times: list[tuple[str, str]] = field(default_factory=list)  # (datetime attr, shown text)
    links: list[str] = field(default_factory=list)  # every <a href>, in reading order


def restore(rich: Rich, text: str) -> str:
    def name(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return rich.mentions[int(match.group(1))]
        return rich.times[int(match.group(2))][1]

    return PLACEHOLDER.sub(name, text)


# Page furniture by its id or class: breadcrumbs, likes, labels, comments, page footers.
CHROME_BOX = re.compile(
    r"(?:^|[-_\s])(?:breadcrumbs?|likes?(?:-and-labels)?(?:-section|-container)?|labels-section"
    r"|comments?(?:-section|-container)?|page-metadata|footer|site-footer|sidebar|toolbar"
    r"|share-bar|sharing|feedback-widget)(?:$|[-_\s])", re.IGNORECASE)


def strip_noise(root: lxml.html.HtmlElement, *, furniture: bool = True) -> None:
    """Drop what is never text (scripts, styles) and, with `furniture`, a page's chrome."""
    for el in list(root.iter(*DROP, *(FURNITURE if furniture else ()))):
        if el.getparent() is not None:
            el.drop_tree()
    if not furniture:
        return
    for el in list(root.iter("div", "p", "section", "aside", "ol", "ul", "span")):
        marks = f"{el.get('id') or ''} {el.get('class') or ''}"
        if marks.strip() and CHROME_BOX.search(marks) and el.getparent() is not None:
            el.drop_tree()


def head_text(el: lxml.html.HtmlElement, limit: int) -> str:
    parts: list[str] = []
    size = 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size > limit:
            return ""  # long blocks are content, not chrome
    return " ".join(" ".join(parts).split())


def is_block(el: lxml.html.HtmlElement) -> bool:
    return isinstance(getattr(el, "tag", None), str) and el.tag in BLOCK


def regroup(root: lxml.html.HtmlElement) -> None:
    """Wrap loose text beside blocks into <p>, so every piece of text sits in one unit.

    Pages put "Decisions:" as bare text in a <div> next to a <ul>; without this
    the text would be lost or glued to the list.
    """
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in NO_REGROUP:
            continue
        kids = list(el)
        if not any(is_block(k) for k in kids):
            continue
        out: list = []
        run = None
        if el.text and el.text.strip():
            run = etree.Element("p")
            run.text = el.text
        el.text = None
        for kid in kids:
            tail = kid.tail
            kid.tail = None
            if is_block(kid):
                if run is not None:
                    out.append(run)
                    run = None
                out.append(kid)
                if tail and tail.strip():
                    run = etree.Element("p")
                    run.text = tail
            else:
                if run is None:
                    run = etree.Element("p")
                run.append(kid)
                kid.tail = tail
        if run is not None:
            out.append(run)
        for kid in out:
            el.append(kid)


def units(
    root: lxml.html.HtmlElement,
    is_data: Callable[[lxml.html.HtmlElement], bool] | None = None,
) -> Iterator[lxml.html.HtmlElement]:
    """Headings, lists, tables and text blocks in document order; containers are opened.

    A table with lists in its cells is opened as a layout, unless `is_data` says it is
    data (a header row that names its columns: lists in cells are then its items).
    """
    body = root.find("body")
    stack = [body if body is not None else root]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag in HEADINGS or tag in ("ul", "ol", "hr", "dl"):
            yield el
        elif tag == "table":
            if is_layout_table(el) and not (is_data and is_data(el)):
                stack.extend(reversed(table_cells(el)))
            else:
                yield el
        elif any(is_block(k) for k in el):
            stack.extend(reversed(list(el)))
        elif has_text(el):
            yield el


def is_layout_table(table: lxml.html.HtmlElement) -> bool:
    """Email and Docs layouts put whole pages in tables; data tables hold short cells."""
    for el in table.iter("h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"):
        if el is not table:
            return True
    return False


def table_cells(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [c for r in table.iter("tr") if nearest(r, "table") is table
            for c in r if c.tag in ("td", "th")]


def nearest(el: lxml.html.HtmlElement, tag: str) -> lxml.html.HtmlElement | None:
    node = el.getparent()
    while node is not None and node.tag != tag:
        node = node.getparent()
    return node


def has_text(el: lxml.html.HtmlElement) -> bool:
    return any(t.strip() for t in el.itertext())


def first_text_element(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The element whose own text is the first text of `el` in reading order.

    None when that first text is a tail (plain text after an inline element).
    """
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(c, False) for c in reversed(el)]
    while stack:
        node, closing = stack.pop()
        if closing or not isinstance(node.tag, str):
            if node.tail and node.tail.strip():
                return None
            continue
        if node.text and node.text.strip():
            return node
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(node))
    return None


def flatten(
    root: lxml.html.HtmlElement,
    *,
    skip: set | None = None,
    skip_tags: tuple[str, ...] = (),
    source_lines: bool = False,
) -> Rich:
    """The text of `root`, with mentions and <time>s as placeholders and \\n at breaks.

    Source newlines are spaces, except inside <pre> or with `source_lines` (text
    typed with line breaks and only some markup, as calendar descriptions are).
    """
    out: list[str] = []
    rich = Rich("")
    in_pre = 0  # open <pre> elements around the text being read

    def text_of(value: str) -> str:
        # Only "\n" ends a line below, where every other run of spaces is squashed.
        return value if source_lines or in_pre else value.replace("\n", " ")

    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            if el.tag == "pre":
                in_pre -= 1
            if el.tag in LINE_BREAKS:
                out.append("\n")
            elif el.tag in ("td", "th") or el.tag in WORD_BREAKS:
                out.append(" ")  # "Due | Friday" reads "Due Friday", not "DueFriday"
            if el is not root and el.tail:
                out.append(text_of(el.tail))
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        tail = el.tail if el is not root else None
        if el is not root and (tag in skip_tags or (skip and el in skip) or not tag):
            if tail:
                out.append(text_of(tail))
            continue
        if tag == "a" and (href := el.get("href")):
            rich.links.append(href)
        if tag == "br":
            out.append("\n")
        elif tag == "time" and el is not root:
            rich.times.append((el.get("datetime") or el.text_content().strip(),
                               " ".join(el.text_content().split())))
            out.append(f"{TIME_OPEN}{len(rich.times) - 1}{TIME_CLOSE}")
        elif tag in ("a", "span") and el is not root and is_mention(el):
            name = " ".join(el.text_content().split()).lstrip("@").strip()
            if name:
                rich.mentions.append(name)
                out.append(f"{MENTION_OPEN}{len(rich.mentions) - 1}{MENTION_CLOSE}")
        elif tag in ("input", "img"):
            pass
        else:
            if tag in LINE_BREAKS and el is not root:
                out.append("\n")
            elif tag in WORD_BREAKS:
                out.append(" ")
            if tag == "pre":
                in_pre += 1
            if el.text:
                out.append(text_of(el.text))
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
            continue
        if tail:
            out.append(text_of(tail))
    text = "".join(out).translate(INVISIBLE).replace("\xa0", " ")
    rich.text = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
    return rich


def is_mention(el: lxml.html.HtmlElement) -> bool:
    classes = (el.get("class") or "").split()
    if "confluence-userlink" in classes or "user-mention" in classes or "mention" in classes:
        return True
    if el.tag != "a":  # Teams/Loop/Notion people chips: <span class="assignee">Ana</span>
        return bool({"assignee", "owner", "person", "people-chip", "notion-user"} & set(classes))
    if el.get("data-username") or el.get("data-account-id") or el.get("data-mention-id"):
        return True
    return "/display/~" in (el.get("href") or "")


def squash(text: str) -> str:
    return " ".join(text.translate(INVISIBLE).replace("\xa0", " ").split())


# A "<" that opens no tag, end tag, comment or declaration: text such as "<ana@example.org>"
# or "<https://…>" in a hand-typed description, which libxml2 would make an element of
# (and a tag-stripping regex would cut out). The one rule for what is a tag.
TAG_NAME = r"[A-Za-z][\w-]*(?::[\w-]+)?"  # p, h2, html-blob, Word's o:p; not "https:" or "ana@"
NOT_A_TAG = re.compile(rf"<(?!/?{TAG_NAME}(?:[\s/>]|$)|[!?])")


def parse(html: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree, or None when there is nothing to read."""
    if not html or not html.strip():
        return None
    html = NOT_A_TAG.sub("&lt;", html)
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


@dataclass(frozen=True)
class Words:
    """An HTML fragment as a reader sees it: a line per block, and the links it holds."""

    text: str
    links: tuple[str, ...]


def read_words(html: str, *, source_lines: bool = False, furniture: bool = True) -> Words:
    """The words of an HTML fragment, a line per block, mentions and dates as shown.

    `source_lines` keeps the fragment's own line breaks (hand-typed text with some
    markup); `furniture=False` keeps what a notes page's chrome rules would drop.
    """
    root = parse(html)
    if root is None:
        return Words("", ())
    strip_noise(root, furniture=furniture)
    rich = flatten(root, source_lines=source_lines)
    text = "\n".join(line for line in restore(rich, rich.text).split("\n") if line.strip())
    return Words(text, tuple(rich.links))


def html_text(html: str) -> str:
    """The words of an HTML fragment, a line per block, mentions and dates as shown."""
    return read_words(html).text


def element_text(el: lxml.html.HtmlElement, *, alt: bool = False) -> str:
    """One element's words on one line; with `alt`, images count by their alt text."""
    parts = [el.text_content()]
    if alt:
        parts += [img.get("alt", "") for img in el.iter("img")]
    return squash(" ".join(parts))
