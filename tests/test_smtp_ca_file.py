"""`[smtp] ca_file`: a relay whose certificate an organisation's own CA issued.

A real aiosmtpd relay on 127.0.0.1 serves STARTTLS (or implicit TLS) with a certificate
from a CA this test makes; nothing else trusts that CA (SSL_CERT_FILE is unset). With
ca_file naming the CA's PEM the send verifies and goes through; without it the send, and
`digest check --smtp`, stop with one message saying to set `[smtp] ca_file`.
"""

from __future__ import annotations

import os
import ssl

import pytest
import trustme
from click.testing import CliRunner
from deliver_support import FAST_RETRY, audience, relays, server_context, write_config

from digest.cli import cli
from digest.config import load_config
from digest.deliver import send_period
from digest.errors import ConfigError, Unavailable
from digest.store import Store
from tests.support import write_org

PERIOD = "2026-10"
DOMAIN = "quillmoor-ferries.coop"  # a made-up organisation's own domain


@pytest.fixture(scope="module")
def ca():
    """The organisation's internal CA: trusted by nothing on this machine."""
    return trustme.CA(organization_name="Quillmoor Ferries internal CA")


@pytest.fixture
def relay(monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # only ca_file may make the CA trusted
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with relays() as make:
        yield make


def write_ca(ca: trustme.CA, path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def send(config, n: int = 3):
    with Store(config.state_path) as store:
        return send_period(config, store, PERIOD, audience(n), retry=FAST_RETRY)


def test_starttls_verifies_against_ca_file_relative_to_the_config(tmp_path, relay, ca):
    r = relay(tls_context=server_context(ca))
    write_ca(ca, tmp_path / "certs" / "relay-ca.pem")
    config = write_config(tmp_path, port=r.port, security="starttls", ca_file="certs/relay-ca.pem")
    assert config.delivery.smtp is not None
    assert config.delivery.smtp.ca_file == tmp_path / "certs" / "relay-ca.pem"
    report = send(config, 4)
    assert (report.sent, report.exit_code) == (4, 0)
    assert len(r.stored) == 4


def test_implicit_tls_verifies_against_ca_file(tmp_path, relay, ca):
    r = relay(smtps_context=server_context(ca))
    write_ca(ca, tmp_path / "relay-ca.pem")
    config = write_config(tmp_path, port=r.port, security="tls", ca_file="relay-ca.pem")
    assert send(config, 2).exit_code == 0
    assert len(r.stored) == 2


@pytest.mark.parametrize("security, context", [("starttls", "tls_context"),
                                               ("tls", "smtps_context")])
def test_without_ca_file_the_send_says_to_set_it(tmp_path, relay, ca, security, context):
    r = relay(**{context: server_context(ca)})
    config = write_config(tmp_path, port=r.port, security=security)
    with pytest.raises(Unavailable) as info:
        send(config)
    message = str(info.value)
    assert info.value.exit_code == 69
    assert f"relay 127.0.0.1:{r.port}: certificate not trusted (" in message
    assert message.endswith("if your organisation's own CA issued it, set [smtp] ca_file to "
                            "that CA's PEM file (relative to the config file)")
    assert not r.stored


def test_a_ca_file_of_another_ca_is_named(tmp_path, relay, ca):
    r = relay(tls_context=server_context(ca))
    other = write_ca(trustme.CA(), tmp_path / "old-ca.pem")
    config = write_config(tmp_path, port=r.port, security="starttls", ca_file="old-ca.pem")
    with pytest.raises(Unavailable) as info:
        send(config)
    assert f"[smtp] ca_file ({other}) is not the CA that issued it" in str(info.value)
    assert not r.stored


def test_a_certificate_for_another_name_says_so_rather_than_blame_the_ca(tmp_path, relay, ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("relay.quillmoor-ferries.coop").configure_cert(context)
    r = relay(tls_context=context)
    write_ca(ca, tmp_path / "relay-ca.pem")
    config = write_config(tmp_path, port=r.port, security="starttls", ca_file="relay-ca.pem")
    with pytest.raises(Unavailable) as info:
        send(config)
    assert "set [smtp] host to a name the relay's certificate is for, not '127.0.0.1'" in str(
        info.value)
    assert "ca_file" not in str(info.value)


# -- digest check --smtp --------------------------------------------------------------------

def smtp_org(tmp_path, port: int, smtp_extra: str = ""):
    org = write_org(tmp_path, {"crossings": []},
                    recipients=f"email,name,communities\nmaren@{DOMAIN},Maren Holt,\n")
    text = org.config_path.read_text().replace('method = "outbox"', 'method = "smtp"')
    text = text.replace("@example.org", f"@{DOMAIN}")
    text += f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n{smtp_extra}'
    org.config_path.write_text(text)
    return org


def check_smtp(org):
    return CliRunner().invoke(cli, ["check", "--smtp", "--config", str(org.config_path)])


def test_check_smtp_uses_ca_file(tmp_path, relay, ca):
    r = relay(tls_context=server_context(ca))
    write_ca(ca, tmp_path / "pki" / "ca.pem")
    org = smtp_org(tmp_path, r.port, 'ca_file = "pki/ca.pem"\n')
    result = check_smtp(org)
    assert result.exit_code == 0, result.output
    assert f"relay 127.0.0.1:{r.port}" in result.output
    assert r.stored == []


def test_check_smtp_without_ca_file_says_to_set_it(tmp_path, relay, ca):
    r = relay(tls_context=server_context(ca))
    result = check_smtp(smtp_org(tmp_path, r.port))
    assert result.exit_code == 1
    (line,) = result.stdout.strip().splitlines()
    assert line.startswith(f"relay 127.0.0.1:{r.port}: certificate not trusted")
    assert "set [smtp] ca_file" in line


# -- a ca_file that cannot be used is a configuration error ---------------------------------

def config_error(tmp_path, ca_file: str, **smtp: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        write_config(tmp_path, port=2525, security=smtp.pop("security", "starttls"),
                     ca_file=ca_file, **smtp)
    assert info.value.key == "smtp.ca_file"
    return info.value


def test_a_missing_ca_file_is_named(tmp_path):
    error = config_error(tmp_path, "pki/relay-ca.pem")
    assert str(error).endswith(f"digest.toml: smtp.ca_file: {tmp_path}/pki/relay-ca.pem does not "
                               "exist: expected the PEM file of the CA that issued the relay's "
                               "certificate, relative to digest.toml")


def test_a_ca_file_without_a_certificate_is_named(tmp_path):
    (tmp_path / "ca.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot this\n", encoding="utf-8")
    assert "holds no PEM certificate" in str(config_error(tmp_path, "ca.pem"))


def test_a_folder_as_ca_file_is_named(tmp_path):
    (tmp_path / "pki").mkdir()
    assert "cannot read" in str(config_error(tmp_path, "pki"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_ca_file_is_named(tmp_path, ca):
    path = tmp_path / "ca.pem"
    write_ca(ca, path)
    path.chmod(0)
    assert "cannot read" in str(config_error(tmp_path, "ca.pem"))


def test_ca_file_with_no_certificate_check_is_refused(tmp_path, ca):
    write_ca(ca, tmp_path / "ca.pem")
    assert 'security = "none"' in str(config_error(tmp_path, "ca.pem", security="none"))
    assert "verify_certificate = false" in str(
        config_error(tmp_path, "ca.pem", verify_certificate=False))


def test_a_bad_ca_file_stops_the_cli_with_78(tmp_path, relay):
    org = smtp_org(tmp_path, 2525, 'ca_file = "nowhere.pem"\n')
    result = check_smtp(org)
    assert result.exit_code == 78
    assert result.output.strip() == (
        f"error: {org.config_path}: smtp.ca_file: {tmp_path}/nowhere.pem does not exist: expected "
        "the PEM file of the CA that issued the relay's certificate, relative to digest.toml")


def test_ca_file_is_not_read_while_the_method_is_outbox(tmp_path, ca):
    """Rehearsing with the outbox, [smtp] is not used: only its key names are checked."""
    write_config(tmp_path, method="outbox", ca_file="not-made-yet.pem")
    assert load_config(tmp_path / "digest.toml").delivery.smtp is None
