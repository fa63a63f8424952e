"""parse_feed: identity, dates that cannot be trusted, safe links, lead images, excerpts."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pytest

from digest.collect.parse import (
    FeedError,
    parse_feed,
    quick_text,
    trusted_date,
)
from digest.text import cut_at_word

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HDRS = {"content-type": "application/rss+xml"}


def parse(body: str, kind: str = "post", url: str = "https://blog.example.org/feed.xml"):
    return parse_feed(body.encode(), HDRS, url=url, community="c", kind=kind, now=NOW)


def rss(items: str) -> str:
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
            f"<link>https://blog.example.org/</link>{items}</channel></rss>")


@pytest.mark.parametrize("text,expected", [
    ("Sat, 03 Oct 2026 10:00:00 +0200", datetime(2026, 10, 3, 8, tzinfo=UTC)),
    ("Sat, 03 Oct 2026 10:00:00 GMT", datetime(2026, 10, 3, 10, tzinfo=UTC)),
    ("Sat, 03 Oct 2026 10:00:00 EDT", datetime(2026, 10, 3, 14, tzinfo=UTC)),
    ("2026-10-03T10:00:00+02:00", datetime(2026, 10, 3, 8, tzinfo=UTC)),
    ("2026-10-03", datetime(2026, 10, 3, tzinfo=UTC)),
    ("Sat, 03 Oct 2026 10:00:00 CEST", None),  # feedparser reads CEST as UTC
    ("1700000000", None),  # an epoch number; feedparser makes it 1686
    ("2026-13-01T00:00:00Z", None),  # month 13; feedparser rolls it into 2027
    ("Sat, 33 Oct 2026 10:00:00 GMT", None),
    # real dates before 1990 (an archive's scans), believed
    ("1985-06-01T00:00:00Z", datetime(1985, 6, 1, tzinfo=UTC)),
    ("Sun, 20 Jul 1969 20:17:40 GMT", datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC)),
    ("1912-04-15T02:20:00Z", datetime(1912, 4, 15, 2, 20, tzinfo=UTC)),
    # software's zero dates: no date at all
    ("Thu, 01 Jan 1970 00:00:00 +0000", None),  # Unix's epoch
    ("Wed, 31 Dec 1969 19:00:00 -0500", None),  # the same, written in New York
    ("1970-01-01T01:00:00+01:00", None),
    ("1980-01-01T00:00:00", None),  # DOS and ZIP's zero
    ("1899-12-30T00:00:00Z", None),  # OLE Automation's (Excel, Access)
    ("1900-01-01", None),
    ("1899-12-29T00:00:00Z", None),  # before 1900
    # Hugo's date for a page without one; parsedate_tz reads year 0001 as 2001
    ("Mon, 01 Jan 0001 00:00:00 +0000", None),
    ("Sat, 01 Jan 0070 00:00:00 GMT", None),
    ("Mon, 01 Jan 0001 00:00:00 +0100", None),
    ("Sat, 03 Oct 26 10:00:00 GMT", datetime(2026, 10, 3, 10, tzinfo=UTC)),  # a two-digit year
    ("2027-06-01T00:00:00Z", None),  # in the future
    ("", None),
])
def test_dates_that_cannot_be_trusted_are_not_believed(text, expected):
    from feedparser.datetimes import _parse_date
    assert trusted_date(text, _parse_date(text) if text else None, NOW) == expected


def test_bad_published_date_falls_back_to_updated():
    body = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            '<entry><id>urn:1</id><title>A</title><published>2026-13-05T10:00:00Z</published>'
            "<updated>2026-10-20T10:00:00Z</updated></entry></feed>")
    [e] = parse(body).entries
    assert e.published is None and e.updated == datetime(2026, 10, 20, 10, tzinfo=UTC)


def test_updated_is_not_invented_from_published():
    [e] = parse(rss("<item><guid>g</guid><title>A</title>"
                    "<pubDate>Sat, 03 Oct 2026 10:00:00 GMT</pubDate></item>")).entries
    assert e.published == datetime(2026, 10, 3, 10, tzinfo=UTC) and e.updated is None


def test_identity_is_id_else_link_else_hash():
    entries = parse(rss(
        "<item><guid>urn:one</guid><title>A</title><link>https://blog.example.org/a</link></item>"
        "<item><title>B</title><link>https://blog.example.org/b</link></item>"
        "<item><title>C</title><description>only text</description></item>")).entries
    assert entries[0].identity == "urn:one"
    assert entries[1].identity == "https://blog.example.org/b"
    assert entries[2].identity.startswith("h:")
    again = parse(rss("<item><title>C</title><description>only text</description></item>"))
    assert again.entries[0].identity == entries[2].identity


def test_links_are_resolved_and_unsafe_schemes_dropped():
    entries = parse(rss(
        "<item><guid>1</guid><title>Rel</title><link>/posts/rel</link></item>"
        "<item><guid>2</guid><title>JS</title><link>javascript:alert(1)</link></item>"),
        url="https://blog.example.org/feeds/all.xml").entries
    assert entries[0].link == "https://blog.example.org/posts/rel"
    assert entries[1].link is None


def test_meeting_notes_keep_outcomes_and_plain_text_never_markup():
    html = ('<h2>Decisions</h2><ul><li>Adopt <a href="guide.html">the guide</a></li>'
            '<li><a href="ftp://files/x">ftp</a> <a href="javascript:alert(1)">js</a>'
            '<a href="mailto:a@example.org">mail</a></li></ul>'
            '<script>alert(1)</script><p onclick="x()" style="color:red">Owner: Ana</p>'
            '<img src="data:image/png;base64,AAAA"><img src="/img/board.png" alt="Board">')
    body = rss(f"<item><guid>m1</guid><title>Notes</title><link>https://wiki.example.org/n/1"
               f"</link><description><![CDATA[{html}]]></description></item>")
    [e] = parse(body, kind="meeting", url="https://wiki.example.org/feed").entries
    assert [o.text for o in e.outcomes.decisions][0] == "Adopt the guide"
    outcome_text = " ".join(o.text for o in (*e.outcomes.decisions, *e.outcomes.actions))
    assert "alert" not in outcome_text and "<" not in outcome_text
    assert e.image == "https://wiki.example.org/img/board.png" and e.image_alt == "Board"
    assert "Owner: Ana" in e.excerpt and "alert" not in e.excerpt


def test_posts_keep_plain_text_excerpts_without_script_text():
    body = rss("<item><guid>p</guid><title>P</title><content:encoded><![CDATA["
               "<p>Hello <b>world</b> &amp; friends</p><script>var secret = 1;</script>"
               "<style>p{color:red}</style><!-- hidden --><p>Second</p>]]>"
               "</content:encoded></item>")
    [e] = parse(body).entries
    assert e.excerpt == "Hello world & friends Second"
    assert not e.outcomes


def test_text_plain_content_is_escaped():
    body = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            '<entry><id>urn:t</id><title>T</title><content type="text">'
            "&lt;script&gt;alert(1)&lt;/script&gt; 1 &lt; 2</content></entry></feed>")
    [e] = parse(body, kind="meeting").entries
    assert e.excerpt == "<script>alert(1)</script> 1 < 2"  # text, shown escaped



@pytest.mark.parametrize("item,image", [
    ('<media:content url="https://cdn.example.org/a.jpg" medium="image"/>',
     "https://cdn.example.org/a.jpg"),
    ('<enclosure url="https://cdn.example.org/e.png" type="image/png" length="1"/>',
     "https://cdn.example.org/e.png"),
    ('<description><![CDATA[<p>x</p><img src="/i/first.jpg" alt="First">]]></description>',
     "https://blog.example.org/i/first.jpg"),
    ('<enclosure url="https://cdn.example.org/a.mp3" type="audio/mpeg" length="1"/>', None),
])
def test_lead_image(item, image):
    [e] = parse(rss(f"<item><guid>i</guid><title>I</title>{item}</item>")).entries
    assert e.image == image


def test_excerpt_is_cut_at_a_word_boundary():
    text = "word " * 100
    out = cut_at_word(text, 42)
    assert out.endswith("…") and len(out) <= 43 and not out[:-1].endswith(" ")
    assert out[:-1].split(" ")[-1] == "word"
    assert cut_at_word("short  text", 42) == "short text"


def test_refusals_name_the_problem():
    with pytest.raises(FeedError) as exc:
        parse("   ")
    assert exc.value.kind == "empty"
    with pytest.raises(FeedError) as exc:
        parse("<html><body>Welcome</body></html>")
    assert exc.value.kind == "not-a-feed"


def test_quoted_entity_text_in_content_is_not_refused():
    body = rss("<item><guid>x</guid><title>XML tips</title><description><![CDATA["
               "<pre>&lt;!ENTITY x \"y\"&gt; and <!ENTITY in a CDATA block</pre>]]>"
               "</description></item>")
    assert len(parse(body).entries) == 1


def test_confluence_chrome_and_page_versions_are_removed():
    def feed(version: int, edit: str) -> str:
        chrome = ('<div class="feed"> <p>Page <b>edited</b> by <a href="https://wiki.example.org'
                  '/display/~ana">Ana Lima</a></p> <h2>Decisions</h2><ul><li>Adopt the '
                  f'{edit} template</li></ul> <div style="padding: 10px 0;"> <a href="https://'
                  'wiki.example.org/display/CoP/Oct">View Online</a> &middot; <a href="https://'
                  'wiki.example.org/pages/diff">View Changes Online</a> </div> </div>')
        from html import escape
        return ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>W</title>'
                f"<entry><id>tag:wiki.example.org,2009:page-123456-{version}</id>"
                '<title>October sync</title><link rel="alternate" href="https://wiki.example.org'
                '/display/CoP/Oct"/><updated>2026-10-20T10:00:00Z</updated>'
                f'<content type="html">{escape(chrome)}</content></entry></feed>')
    [v3] = parse(feed(3, "new"), kind="meeting").entries
    [v4] = parse(feed(4, "newer"), kind="meeting").entries
    assert v3.identity == v4.identity == "tag:wiki.example.org,2009:page-123456"
    assert v3.excerpt.startswith("Decisions Adopt the new template")
    assert "View Online" not in v3.excerpt and "edited" not in v3.excerpt
    assert [o.text for o in v3.outcomes.decisions] == ["Adopt the new template"]


def test_table_cells_stay_apart_in_meeting_notes_and_post_excerpts():
    table = ("<table><tr><th>Role</th><th>Name</th></tr><tr><td>Owner</td><td>Ana</td></tr>"
             "</table><figure><img src='https://cdn.example.org/x.png'><figcaption>Chart"
             "</figcaption></figure>")
    assert quick_text(table, "").text == "Role Name Owner Ana Chart"
    body = rss(f"<item><guid>t</guid><title>Notes</title><content:encoded><![CDATA[{table}]]>"
               "</content:encoded></item>")
    [meeting] = parse(body, kind="meeting").entries
    [post] = parse(body).entries
    assert meeting.excerpt == post.excerpt == "Role Name Owner Ana Chart"


@pytest.mark.parametrize("prolog", [
    '<!-- <a> --><!DOCTYPE rss [<!ENTITY x "y">]>',
    '<?pi <b>?><!DOCTYPE rss [<!entity x "y">]>',
    '<!DOCTYPE rss SYSTEM "<a>" [<!ENTITY x "y">]>',
    '<!DOCTYPE rss [<!-- <c> --><!ENTITY x "y">]>',
])
def test_entity_declarations_behind_tag_like_text_are_refused(prolog):
    body = rss("<item><guid>x</guid><title>x</title></item>").replace(
        '<?xml version="1.0"?>', '<?xml version="1.0"?>' + prolog)
    with pytest.raises(FeedError) as exc:
        parse(body)
    assert exc.value.kind == "entities"
    with pytest.raises(FeedError):
        parse_feed(body.encode("utf-16"), HDRS, url="https://blog.example.org/feed.xml",
                   community="c", kind="post", now=NOW)


@pytest.mark.parametrize("written, shown", [
    ("mira.tanaka@riverside.example (Mira Tanaka)", "Mira Tanaka"),  # RSS 2.0's own form
    ("noreply@blogger.example (Oskar Lindqvist)", "Oskar Lindqvist"),
    ('"Lotte de Vries" <lotte@riverside.example>', "Lotte de Vries"),
    ("Bram Okonkwo", "Bram Okonkwo"),
    ("bram@riverside.example", "bram@riverside.example"),  # an address alone stays as written
    ("The Data Team (guest post)", "The Data Team (guest post)"),
])
def test_an_rss_author_with_an_address_shows_the_name(written, shown):
    (entry,) = parse(rss(f"<item><title>A post</title><link>https://blog.example.org/a</link>"
                         f"<author>{escape(written)}</author></item>")).entries
    assert entry.author == shown


def test_an_atom_author_with_an_email_shows_the_name():
    # Blogger gives every author <email>noreply@blogger.com</email>; feedparser joins
    # the two as "Name (address)"
    body = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            "<entry><id>urn:1</id><title>A</title><updated>2026-10-20T10:00:00Z</updated>"
            "<author><name>Siobhán Ní Bhriain</name><email>noreply@blogger.example</email>"
            "</author></entry></feed>")
    [e] = parse(body).entries
    assert e.author == "Siobhán Ní Bhriain"


def test_an_excerpt_does_not_repeat_the_title_the_content_starts_with():
    # Medium (and many others) start content:encoded with the title as a heading
    [e] = parse(rss("<item><guid>m1</guid><title>Ladders: the checks we skip</title>"
                    "<content:encoded><![CDATA[<h3>Ladders: the checks we skip</h3>"
                    "<p>Feet, rungs, then the angle.</p>]]></content:encoded></item>")).entries
    assert e.excerpt == "Feet, rungs, then the angle."
    [kept] = parse(rss("<item><guid>m2</guid><title>Ladders</title><description>"
                       "Ladders fail at the feet first.</description></item>")).entries
    assert kept.excerpt == "Ladders fail at the feet first."


def test_a_discourse_topics_footer_is_not_in_its_excerpt():
    # Discourse's category and topic feeds end every description with the topic's
    # counts and a "Read full topic" link
    description = ("<p>Three call scripts are drafted; comments welcome.</p>\n"
                   "<p><small>4 posts - 3 participants</small></p>\n"
                   '<p><a href="https://forum.example.org/t/scripts/215">Read full topic</a></p>')
    [e] = parse(rss(f"<item><guid>forum-topic-215</guid><title>Call scripts</title>"
                    f"<description><![CDATA[{description}]]></description></item>")).entries
    assert e.excerpt == "Three call scripts are drafted; comments welcome."


@pytest.mark.parametrize("tail", [
    '<a href="/2026/10/ramps/">Continue reading</a>',
    '<a class="more-link" href="/2026/10/ramps/">Continue reading<span class="screen-reader-text">'
    ' &#8220;Ramps&#8221;</span></a>',
    '<a href="https://blog.example.org/ramps">Read more &raquo;</a></p>',
])
def test_a_read_more_link_at_the_end_of_a_summary_is_not_in_its_excerpt(tail):
    # WordPress themes end the excerpt they put in <description> with such a link
    description = f"<p>Every ramp on the site was measured twice.&#8230; {tail}"
    [e] = parse(rss(f"<item><guid>p=7</guid><title>Ramps</title>"
                    f"<description><![CDATA[{description}]]></description></item>")).entries
    assert e.excerpt == "Every ramp on the site was measured twice.…"


@pytest.mark.parametrize("tail", [
    '<a href="/2026/10/rampes/">Lire la suite</a></p>',
    '<a class="more-link" href="/2026/10/rampes/">Lire la suite<span class="screen-reader-text">'
    " de « Rampes »</span></a></p>",
    '<a href="/2026/10/rampen/">Weiterlesen …</a></p>',
    '<a href="/2026/10/rampas/">Leer más &raquo;</a></p>',
    '<a href="/2026/10/rampe/">Continua a leggere</a></p>',
    '<a href="/2026/10/hellingen/">Lees verder</a></p>',
    '<a href="/2026/10/ramp/">続きを読む</a></p>',
])
def test_a_read_more_link_in_the_blogs_own_language_is_not_in_its_excerpt(tail):
    # a WordPress theme words its link in the blog's language
    description = f"<p>Chaque rampe du site a été mesurée deux fois.&#8230; {tail}"
    [e] = parse(rss(f"<item><guid>p=8</guid><title>Rampes</title>"
                    f"<description><![CDATA[{description}]]></description></item>")).entries
    assert e.excerpt == "Chaque rampe du site a été mesurée deux fois.…"


def test_a_discourse_footer_in_another_language_is_not_in_its_excerpt():
    # a French forum: "messages" for posts and "Lire le sujet en entier" for the link
    description = ("<p>Trois scripts d'appel sont prêts ; vos remarques sont bienvenues.</p>\n"
                   "<p><small>4 messages - 3 participants</small></p>\n"
                   '<p><a href="https://forum.example.org/t/scripts/215">'
                   "Lire le sujet en entier</a></p>")
    [e] = parse(rss(f"<item><guid>forum-topic-216</guid><title>Scripts</title>"
                    f"<description><![CDATA[{description}]]></description></item>")).entries
    assert e.excerpt == "Trois scripts d'appel sont prêts ; vos remarques sont bienvenues."
    # a post's own closing link, with no counts line before it, stays
    own = ('<p>The minutes are in the forum.</p><p><a href="https://forum.example.org/t/min/9">'
           "October minutes</a></p>")
    [kept] = parse(rss(f"<item><guid>b-9</guid><title>Minutes</title>"
                       f"<description><![CDATA[{own}]]></description></item>")).entries
    assert kept.excerpt == "The minutes are in the forum. October minutes"
