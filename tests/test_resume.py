"""A send that stopped part-way is resumed with the editions its first readers got."""

from __future__ import annotations

import email
import email.policy

from click.testing import CliRunner
from smtp_relay import Behaviour, Relay
from waiting import wait_until

from digest.cli import cli
from tests.support import Post, rss, utc, write_org

READERS = "email,name,communities\n" + "".join(
    f"reader{i}@example.org,Reader {i},\n" for i in range(4))


def through_relay(org, relay: Relay) -> None:
    """Point the organisation's delivery at the test relay."""
    config = org.config_path.read_text().replace('method = "outbox"', 'method = "smtp"')
    config += (f'[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\nsecurity = "none"\n'
               "rate = 0\ntimeout = 5\nbreaker = 2\n")
    org.config_path.write_text(config)


def digest(org, *args: str):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args])


def resume_until_done(org, last=None, seconds: float = 30):
    """Run `digest send` as cron would until it exits 0; a deferred reader is due in seconds."""
    results = [last or digest(org, "send", "--period", "2026-10")]

    def settled():
        if results[-1].exit_code == 75:
            results.append(digest(org, "send", "--period", "2026-10"))
        return results[-1].exit_code != 75

    wait_until(settled, timeout=seconds, interval=0.1,
               message=lambda: f"still deferred: {results[-1].output}")
    return results[-1]


def html_part(data: bytes) -> str:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    return msg.get_body(("html",)).get_content()


def test_a_resumed_send_neither_recollects_nor_rebuilds(tmp_path):
    relay = Relay(Behaviour(stop_after=2)).start()  # stores two messages, then goes down
    try:
        posts = [Post("October post", utc(2026, 10, 5), link="https://d.example.org/1")]
        org = write_org(tmp_path, {"data": posts}, recipients=READERS)
        through_relay(org, relay)
        first = digest(org, "run", "--period", "2026-10")
        assert first.exit_code == 75, first.output
        assert len(relay.stored) == 2

        # a late post arrives and the issue must not change under the readers still waiting
        late = [*posts, Post("Late October post", utc(2026, 10, 30), link="https://d.example.org/2")]
        (org.root / "feeds" / "data.xml").write_text(rss(late))
        build = digest(org, "build", "--period", "2026-10")
        assert build.exit_code != 0
        assert "digest send --period 2026-10" in build.output

        relay.stop()
        relay = Relay(port=relay.port).start()
        second = digest(org, "run", "--period", "2026-10")
        assert second.exit_code in (0, 75), second.output
        assert "resuming" in second.output and "collected" not in second.output
        result = resume_until_done(org, second)
        assert result.exit_code == 0, result.output
        assert len(relay.stored) == 2
        for stored in relay.stored:
            html = html_part(stored.data)
            assert "October post" in html
            assert "Late October post" not in html
    finally:
        relay.stop()


def test_a_resume_follows_the_frozen_ledger_when_the_recipients_file_changed(tmp_path):
    relay = Relay(Behaviour(stop_after=1)).start()
    try:
        posts = [Post("October post", utc(2026, 10, 5), link="https://d.example.org/1")]
        readers = ("email,name,communities\n"
                   "all@example.org,All Reader,\n"
                   "data@example.org,Data Only,data\n")
        org = write_org(tmp_path, {"data": posts, "design": []}, recipients=readers)
        through_relay(org, relay)
        first = digest(org, "run", "--period", "2026-10")
        assert first.exit_code == 75, first.output
        assert [s.rcpt for s in relay.stored] == ["all@example.org"]

        # the only reader of the data edition leaves; a reader of a new set arrives
        (org.root / "recipients.csv").write_text("email,name,communities\n"
                                                 "all@example.org,All Reader,\n"
                                                 "design@example.org,Design Only,design\n")
        relay.stop()
        relay = Relay(port=relay.port).start()
        result = resume_until_done(org)
        assert result.exit_code == 0, result.output
        # the frozen audience is served: the leaver still gets October, the newcomer does not
        assert [s.rcpt for s in relay.stored] == ["data@example.org"]
        assert "Data Only" in relay.stored[0].data.decode()
    finally:
        relay.stop()


def test_a_reader_added_after_the_period_was_sent_does_not_block_send(tmp_path):
    posts = [Post("October post", utc(2026, 10, 5), link="https://d.example.org/1")]
    org = write_org(tmp_path, {"data": posts, "design": []})
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    with (org.root / "recipients.csv").open("a") as f:
        f.write("new@example.org,New Reader,design\n")
    again = digest(org, "send", "--period", "2026-10")
    assert again.exit_code == 0, again.output
    assert not list((org.root / "out" / "outbox" / "2026-10").glob("new@*"))
