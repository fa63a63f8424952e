"""`digest check`: one line per problem, nothing stored, exit 0 only when all is well."""

from __future__ import annotations

import pytest
import trustme
from click.testing import CliRunner
from deliver_support import relays, server_context, trust

from digest.cli import cli
from tests.feedserver import FeedServer, rss, send
from tests.support import Post, utc, write_org

PASSWORD = "a long relay password"


def check(org, *extra: str):
    return CliRunner().invoke(cli, ["check", "--config", str(org.config_path), *extra],
                              catch_exceptions=False)


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {
        "data": [Post("Our data catalogue is live", utc(2026, 10, 6, 9), guid="d1")]})


def test_a_sound_set_up_is_all_well_and_nothing_is_stored(org):
    result = check(org)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("all well:") and "1 recipient" in result.output
    assert not (org.root / "var").exists()


def test_quiet_check_prints_nothing_when_all_is_well(org):
    result = CliRunner().invoke(cli, ["-q", "check", "--config", str(org.config_path)])
    assert (result.exit_code, result.output) == (0, "")


def test_every_problem_is_one_line_and_the_exit_is_1(org):
    (org.root / "recipients.csv").write_text(
        "email,name,communities\nann@example.org,Ann,\nnot-an-address,Bo,\n"
        "cy@example.org,Cy,nonsense\n", encoding="utf-8")
    listing = org.root / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace('posts = ["data.xml"]',
                                                   'posts = ["data.xml", "missing.xml"]\n'
                                                   'notes = "notes/"'))
    (org.root / "feeds" / "notes").mkdir()
    (org.root / "feeds" / "notes" / "idea.md").write_text("Just text, no heading.\n")
    result = CliRunner().invoke(cli, ["check", "--config", str(org.config_path)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4, lines
    assert lines[0].endswith("recipients.csv: line 3: 'not-an-address' is not a usable email "
                             "address: it must contain exactly one @; this row would be skipped")
    assert "line 4: unknown community id nonsense" in lines[1]
    assert lines[2].startswith("posts of data: ") and "missing.xml: error (not-found)" in lines[2]
    assert lines[3].startswith("notes of data: ") and lines[3].endswith(
        "idea.md: no title: add `title:` to the front matter or start with a # heading")
    assert "4 problems found" in result.stderr
    assert not (org.root / "var").exists()


def test_a_broken_custom_template_is_named(tmp_path):
    org = write_org(tmp_path, {"data": []}, digest_extra='templates = "mine"')
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "digest.mjml.j2").write_text("<mjml>{% if %}</mjml>\n")
    result = check(org)
    assert result.exit_code == 1
    (line,) = result.stdout.strip().splitlines()
    assert line.endswith("mine/digest.mjml.j2:1: template syntax error: Expected an expression, "
                         "got 'end of statement block'")


def test_an_unreadable_configuration_exits_78(tmp_path):
    (tmp_path / "digest.toml").write_text("[digest\n")
    result = CliRunner().invoke(cli, ["check", "--config", str(tmp_path / "digest.toml")])
    assert result.exit_code == 78 and "not valid TOML" in result.output


def test_a_gone_feed_is_reported_from_the_network(tmp_path):
    with FeedServer() as server:
        server.routes["/gone.xml"] = lambda h: send(h, 410, b"gone", "text/plain")
        server.routes["/ok.xml"] = lambda h: send(h, 200, rss("ok", [{"title": "A post"}]))
        org = write_org(tmp_path, {"data": []})
        listing = tmp_path / "feeds" / "communities.toml"
        listing.write_text(listing.read_text().replace(
            'posts = ["data.xml"]', f'posts = ["{server.url("/gone.xml")}", '
                                    f'"{server.url("/ok.xml")}"]'))
        result = check(org)
        assert server.paths().count("/gone.xml") == 1 and server.paths().count("/ok.xml") == 1
    assert result.exit_code == 1
    (line,) = result.stdout.strip().splitlines()
    assert "/gone.xml: gone (gone): HTTP 410 Gone" in line


# -- --smtp --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def relay(ca, tmp_path, monkeypatch):
    trust(ca, tmp_path, monkeypatch)
    with relays() as make:
        yield make(tls_context=server_context(ca), credentials=("digest", PASSWORD))


LIVE_DOMAIN = "lanternhill.coop"  # a made-up organisation's own domain: not a reserved example


def smtp_org(tmp_path, port: int):
    org = write_org(tmp_path, {"data": []},
                    recipients=f"email,name,communities\nann@{LIVE_DOMAIN},Ann Reader,\n")
    text = org.config_path.read_text().replace('method = "outbox"', 'method = "smtp"')
    text = text.replace("@example.org", f"@{LIVE_DOMAIN}")
    text += (f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n'
             'username = "digest"\n')
    org.config_path.write_text(text)
    return org


def test_smtp_logs_in_and_sends_nothing(tmp_path, relay, monkeypatch):
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
    result = check(smtp_org(tmp_path, relay.port), "--smtp")
    assert result.exit_code == 0, result.output
    assert f"relay 127.0.0.1:{relay.port} (logged in as 'digest')" in result.output
    assert [(user, ok) for user, ok, _ in relay.logins] == [("digest", True)]
    assert relay.stored == []


def test_smtp_names_a_refused_login(tmp_path, relay, monkeypatch):
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong")
    result = check(smtp_org(tmp_path, relay.port), "--smtp")
    assert result.exit_code == 1
    (line,) = result.stdout.strip().splitlines()
    assert "refused the login of 'digest'" in line
    assert "logged in" not in result.output
    assert relay.stored == []


def test_smtp_without_a_relay_configured_is_a_problem(org):
    result = check(org, "--smtp")
    assert result.exit_code == 1 and "there is no relay to log in to" in result.output


def test_smtp_with_the_examples_left_in_names_each_one(tmp_path, relay, monkeypatch):
    """Going live with the scaffold's addresses would send from, and take unsubscribe mail
    at, a domain that reaches nobody: each is named, the readers' list in one line."""
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
    org = smtp_org(tmp_path, relay.port)
    text = org.config_path.read_text()
    org.config_path.write_text(text.replace(f"leave@{LIVE_DOMAIN}", "leave@example.org")
                               .replace(f"<cop-digest@{LIVE_DOMAIN}>", "<digest@mail.example.com>"))
    (org.root / "recipients.csv").write_text(
        f"email,name,communities\nann@{LIVE_DOMAIN},Ann,\nyou@example.org,Your Name,\n"
        "bo@intranet.test,Bo,\ncy@example.org,Cy,\n", encoding="utf-8")
    result = check(org, "--smtp")
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3, lines
    assert "delivery.from: digest@mail.example.com is an example address" in lines[0]
    assert "delivery.unsubscribe_mailto: leave@example.org is an example address" in lines[1]
    assert lines[2].endswith("recipients.csv: 3 readers have an example address (example.org, "
                             "intranet.test reaches nobody), first you@example.org: replace the "
                             "example rows with your readers")
    # the login was tried and worked: said beside the problems (trial item 15)
    assert [(user, ok) for user, ok, _ in relay.logins] == [("digest", True)]
    assert result.stderr.splitlines() == [
        f"relay 127.0.0.1:{relay.port}: logged in as 'digest', no mail sent", "3 problems found"]


def test_the_examples_are_fine_while_rehearsing_with_the_outbox(org):
    assert "example.org" in (org.root / "recipients.csv").read_text()
    assert check(org).exit_code == 0


def test_the_organisers_list_of_the_report_is_checked(org):
    org.config_path.write_text(org.config_path.read_text()
                               + '\n[report]\nrecipients = "organisers.csv"\n')
    missing = check(org)
    assert missing.exit_code == 1
    (line,) = missing.stdout.strip().splitlines()
    assert "organisers.csv: the recipients file does not exist" in line
    assert "[report] recipients in digest.toml" in line
    (org.root / "organisers.csv").write_text("email,name,communities\nlead@,Lead,\n",
                                             encoding="utf-8")
    bad_row = check(org)
    assert bad_row.exit_code == 1
    assert "organisers.csv: line 2: 'lead@' is not a usable email address" in bad_row.stdout
    assert "no organiser to send the report to" in bad_row.stdout
    (org.root / "organisers.csv").write_text("email,name,communities\nlead@example.org,Lead,\n",
                                             encoding="utf-8")
    assert check(org).exit_code == 0


def test_a_feed_listed_twice_in_one_community_is_a_problem(org):
    listing = org.root / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace(
        'posts = ["data.xml"]', 'posts = ["data.xml", "./data.xml"]\nmeetings = ["data.xml"]'))
    result = check(org)
    assert result.exit_code == 1
    (line,) = result.stdout.strip().splitlines()
    assert line == (f"{listing}: community data lists {org.root / 'feeds' / 'data.xml'} 3 times "
                    "(2× posts, meetings): keep one")
