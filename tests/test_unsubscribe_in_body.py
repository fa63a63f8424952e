"""The unsubscribe link in the HTML and text footers carries the reader's own address when
`unsubscribe_url` has `{email}`: filled in at send time, without rendering per reader, and
byte for byte what serialising that reader's whole message would give."""

from __future__ import annotations

import email
import re
from dataclasses import replace
from email import policy
from urllib.parse import quote

import pytest

from digest import pipeline
from digest.deliver.message import MessageFactory
from digest.models import Recipient
from digest.store import Store
from tests.email_sample import sample_editions, sample_org
from tests.support import Post, utc, write_org

URL = "https://intranet.example.org/leave?u={email}&list=cop"
READERS = [Recipient("ann@example.org", "Ann Reader", None),
           Recipient("a.long.address+digest@subdomain.example-organisation.org", "Bo", None),
           Recipient("zoe@exämple.org", "Zoë Ångström", None)]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    # a title with Å: its UTF-8 holds the byte 0x85, which latin-1 reads as a line break, and
    # the unsubscribe line names the title
    return sample_org(tmp_path_factory.mktemp("org"), digest_extra='title = "Ålands Digest"',
                      delivery_extra=f'unsubscribe_url = "{URL}"')


@pytest.fixture(scope="module")
def edition(config):
    return sample_editions(config)["design"]


def parts(raw: bytes) -> tuple[str, str]:
    msg = email.message_from_bytes(raw, policy=policy.default)
    return (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content())


def test_each_reader_finds_their_own_address_in_both_footers(config, edition):
    factory = MessageFactory(config, "2026-10")
    assert "{email}" in edition.html and "{email}" in edition.text  # rendered once, for all
    for reader in READERS:
        text, html = parts(factory.message_bytes(edition, reader, "<id@example.org>"))
        own = URL.replace("{email}", quote(reader.email, safe=""))
        assert own in text.splitlines()  # on its own line
        assert f'href="{own.replace("&", "&amp;")}"' in html
        assert "{email}" not in text and "{email}" not in html
        others = [r for r in READERS if r is not reader]
        assert not [r for r in others if quote(r.email, safe="") in text + html]


def test_the_assembled_body_is_the_whole_message_serialised_for_that_reader(config, edition):
    factory = MessageFactory(config, "2026-10")
    for reader in READERS:
        fast = factory.message_bytes(edition, reader, "<id@example.org>", utc(2026, 11, 1))
        own = quote(reader.email, safe="")
        whole = replace(edition, html=edition.html.replace("{email}", own),
                        text=edition.text.replace("{email}", own))
        plain = MessageFactory(config, "2026-10")
        plain._personal_unsubscribe = False  # serialise it whole, as before
        ref = plain._template(whole)
        tpl = factory._template(edition)
        boundary = re.search(rb'boundary="([^"]+)"', tpl.headers).group(1)
        ref_boundary = re.search(rb'boundary="([^"]+)"', ref.headers).group(1)
        assert tpl.body_for(reader.email) == ref.body.replace(ref_boundary, boundary)
        assert fast.endswith(tpl.body_for(reader.email))
        # and the same factory gives the same bytes again: a resumed send
        assert factory.message_bytes(edition, reader, "<id@example.org>",
                                     utc(2026, 11, 1)) == fast


def test_a_link_in_the_content_holding_email_is_never_filled_in(tmp_path):
    """Only the template's footer gets the address: a feed cannot harvest readers' addresses
    by publishing a link with `{email}` in it."""
    org = write_org(tmp_path, {"data": [
        Post("Tracking attempt", utc(2026, 10, 3, 9), link="https://evil.example/?who={email}",
             guid="t1", body="<p>Write to {email} for more.</p>")]},
        delivery_extra=f'unsubscribe_url = "{URL}"')
    config = org.config()
    with Store(config.state_path) as store:
        pipeline.collect(config, store, now=utc(2026, 11, 2))
        result = pipeline.build(config, store, pipeline.Period.parse("2026-10", "monthly"),
                                now=utc(2026, 11, 2))
    (edition,) = result.editions
    assert "evil.example/?who={email}" in edition.html
    raw = MessageFactory(config, "2026-10").message_bytes(
        edition, Recipient("ann@example.org", "Ann", None), "<id@example.org>")
    text, html = parts(raw)
    assert "evil.example/?who={email}" in html and "ann%40example.org" not in html.split(
        "evil.example")[1].split('"')[0]
    assert "leave?u=ann%40example.org&amp;list=cop" in html
    assert "leave?u=ann%40example.org&list=cop" in text
