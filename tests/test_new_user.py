"""What a new organisation trips over on its first day, through the command line."""

from __future__ import annotations

from click.testing import CliRunner

from digest.cli import cli
from tests.support import Post, utc, write_org


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def two_communities(tmp_path):
    return write_org(tmp_path, {
        "wards": [Post("Bedside scanning on ward 7", utc(2026, 10, 6, 9), guid="w1")],
        "estates": [Post("Solar canopy figures", utc(2026, 10, 8, 9), guid="e1")],
    })


def test_an_excel_csv_with_a_bom_and_semicolons_is_read(tmp_path):
    """Excel in a comma-decimal locale (most of Europe) saves "CSV UTF-8" with a BOM,
    semicolons between cells, CRLF line ends and a list cell in quotes; it has no
    setting to save commas instead, so the file is read as it is."""
    org = two_communities(tmp_path)
    (org.root / "recipients.csv").write_bytes(
        "\ufeffemail;name;communities;aliases\r\n"
        "bjorn@example.org;Björn Åkesson;\"wards;estates\";@bakesson\r\n"
        "tomasz@example.org;Wróblewski, Tomasz;estates;\r\n"
        "rangi@example.org;Rangi Pōtae;;\r\n".encode("utf-8"))
    checked = invoke("check", "--config", str(org.config_path))
    assert checked.exit_code == 0, checked.output
    assert "3 recipients" in checked.output
    assert invoke("collect", "--config", str(org.config_path)).exit_code == 0
    built = invoke("build", "--config", str(org.config_path), "--period", "2026-10")
    assert built.exit_code == 0, built.output
    assert "3 recipients" in built.output
    dry = invoke("send", "--config", str(org.config_path), "--period", "2026-10", "--dry-run")
    assert "would send 3 of 3" in dry.output and "no rows" in dry.output, dry.output
    sent = invoke("send", "--config", str(org.config_path), "--period", "2026-10")
    assert sent.exit_code == 0, sent.output
    outbox = org.root / "out" / "outbox" / "2026-10"
    to = sorted(p.read_text().split("To: ", 1)[1].split("\n", 1)[0] for p in outbox.glob("*.eml"))
    assert len(to) == 3 and any("bjorn@example.org" in t for t in to)


def test_a_semicolon_file_with_a_bad_row_names_its_line(tmp_path):
    org = two_communities(tmp_path)
    (org.root / "recipients.csv").write_text(
        "email;name;communities\nann@example.org;Ann;wards\nbad@;Bad;\nzed@example.org;Zed;nope\n",
        encoding="utf-8")
    checked = invoke("check", "--config", str(org.config_path))
    assert checked.exit_code == 1
    assert "recipients.csv: line 3: 'bad@'" in checked.output
    assert "recipients.csv: line 4: unknown community id nope" in checked.output
