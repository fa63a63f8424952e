"""`[smtp] ca_file` naming a CA that has expired or is not yet valid: the send stops
saying the CA in ca_file is at fault (and which file), not the relay's certificate. A
relay whose own certificate has expired under a good CA still says the relay is at
fault. A real aiosmtpd relay on 127.0.0.1; the CAs are made here with `cryptography`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from deliver_support import FAST_RETRY, audience, relays, write_config

from digest.deliver import send_period
from digest.errors import Unavailable
from digest.store import Store

NOW = dt.datetime.now(dt.UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Harrowgate Tilers' Guild"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca_and_relay_cert(folder: Path, not_before: dt.datetime, not_after: dt.datetime
                           ) -> tuple[Path, ssl.SSLContext]:
    """A CA valid only from `not_before` to `not_after` (written to ca.pem), and a relay
    context whose certificate, valid today, that CA signed."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Harrowgate internal CA")
    ca_cert = (x509.CertificateBuilder()
               .subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=False, content_commitment=False, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=True,
                   crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                              critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(_name("relay")).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(hours=1))
            .not_valid_after(NOW + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    ca_path = folder / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain = folder / "relay.pem"
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(chain))
    return ca_path, context


@pytest.fixture
def relay(monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with relays() as make:
        yield make


def send_error(tmp_path: Path, port: int, ca_file: str) -> str:
    config = write_config(tmp_path, port=port, security="starttls", ca_file=ca_file)
    with Store(config.state_path) as store, pytest.raises(Unavailable) as info:
        send_period(config, store, "2026-10", audience(2), retry=FAST_RETRY)
    return str(info.value)


def test_an_expired_ca_in_ca_file_is_named_as_expired(tmp_path, relay):
    ca_path, context = make_ca_and_relay_cert(
        tmp_path / "pki", NOW - dt.timedelta(days=3 * 365), NOW - dt.timedelta(days=2))
    r = relay(tls_context=context)
    message = send_error(tmp_path, r.port, "pki/ca.pem")
    assert f"the CA in [smtp] ca_file ({ca_path}) expired on " in message, message
    assert "whoever runs the relay" not in message, message
    assert not r.stored


def test_a_ca_not_yet_valid_in_ca_file_is_named_with_its_start(tmp_path, relay):
    ca_path, context = make_ca_and_relay_cert(
        tmp_path / "pki", NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=3 * 365))
    r = relay(tls_context=context)
    message = send_error(tmp_path, r.port, "pki/ca.pem")
    assert f"the CA in [smtp] ca_file ({ca_path}) is not valid until " in message, message
    assert "whoever runs the relay" not in message, message
    assert not r.stored


def test_an_expired_relay_certificate_under_a_good_ca_blames_the_relay(tmp_path, relay):
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", not_before=NOW - dt.timedelta(days=60),
                  not_after=NOW - dt.timedelta(days=1)).configure_cert(context)
    r = relay(tls_context=context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    message = send_error(tmp_path, r.port, "ca.pem")
    assert "the relay's certificate itself must be fixed by whoever runs the relay" in message
    assert "expired on" not in message, message


def test_in_a_ca_file_of_several_cas_the_expired_one_is_named(tmp_path, relay):
    ca_path, context = make_ca_and_relay_cert(
        tmp_path / "pki", NOW - dt.timedelta(days=3 * 365), NOW - dt.timedelta(days=2))
    bundle = tmp_path / "pki" / "bundle.pem"
    bundle.write_bytes(trustme.CA().cert_pem.bytes() + ca_path.read_bytes())
    r = relay(tls_context=context)
    message = send_error(tmp_path, r.port, "pki/bundle.pem")
    assert f"the CA 'Harrowgate internal CA' in [smtp] ca_file ({bundle}) expired on " in message
