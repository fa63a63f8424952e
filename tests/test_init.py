"""`digest init`: from an empty folder to a sent (outboxed) issue, and the files it writes."""

from __future__ import annotations

import configparser
import email
import email.policy
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner

from digest.cli import cli
from digest.init import init_organisation, scaffold_files
from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes

UNITS = ("cop-digest-collect.service", "cop-digest-collect.timer", "cop-digest-run.service",
         "cop-digest-run.timer")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_init_then_check_then_run_offline_mails_the_example_outcomes(tmp_path):
    folder = tmp_path / "new-org"
    made = invoke("init", str(folder))
    assert made.exit_code == 0, made.output
    assert "wrote 12 files in" in made.output and "next:" in made.output
    # every example value that would go out with a real send is named in the first step
    assert "(organisation, from, unsubscribe_mailto, timezone)" in made.output
    config = str(folder / "digest.toml")

    checked = invoke("check", "--config", config)
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("all well:")

    ran = invoke("--config", config, "run")
    assert ran.exit_code == 0, ran.output
    assert "1 post, 1 meeting" in ran.output
    (eml,) = (folder / "out" / "outbox").rglob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Your Name <you@example.org>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "We meet on the second Tuesday of every month" in part  # a decision
        assert "Set up the community" in part and "Sam Sample" in part  # an action, its owner
        assert "Invite the first guest speaker" in part and "Kim Placeholder" in part
        assert "Welcome to the Example Community" in part  # the post


def test_init_never_overwrites_and_says_what_it_kept(tmp_path):
    (tmp_path / "digest.toml").write_text("# mine\n", encoding="utf-8")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 0
    assert "wrote 11 files" in result.output
    assert "kept 1 file that already existed (not overwritten):\n  digest.toml" in result.output
    assert (tmp_path / "digest.toml").read_text() == "# mine\n"
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = invoke("init", str(tmp_path))
    assert "kept 12 files" in again.output and "wrote" not in again.output
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_init_into_a_file_is_refused(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 64  # a bad argument: EX_USAGE, like every usage error
    assert "is a file" in result.output
    assert target.read_text() == "x"


def test_every_scaffold_file_is_written(tmp_path):
    result = init_organisation(tmp_path)
    assert sorted(result.written) == [name for name, _ in scaffold_files()]
    assert "digest.toml" in result.written and "schedule/crontab" in result.written


def test_every_config_key_is_in_the_written_digest_toml(tmp_path):
    init_organisation(tmp_path)
    text = (tmp_path / "digest.toml").read_text()
    for key in ("title", "organisation", "cadence", "timezone", "web_url", "feeds", "state", "out",
                "language", "direction", "late_window", "quiet_after", "max_items", "templates",
                "method", "from", "recipients", "unsubscribe_mailto", "unsubscribe_url",
                "preferences_url", "host", "port", "security", "verify_certificate", "username",
                "envelope_from", "timeout", "rate", "max_per_connection", "breaker", "connections",
                "concurrency", "per_host", "connect_timeout", "max_bytes", "workers"):
        assert re.search(rf"^#? ?{key} = ", text, re.M), key


def _units(folder: Path) -> dict[str, configparser.ConfigParser]:
    out = {}
    for name in UNITS:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read(folder / "schedule" / name, encoding="utf-8")
        out[name] = parser
    return out


@pytest.mark.parametrize("folder_name", ["org", "org with spaces"])
def test_systemd_units_are_valid_and_point_at_the_folder(tmp_path, folder_name):
    folder = tmp_path / folder_name
    init_organisation(folder)
    units = _units(folder)
    for kind in ("collect", "run"):
        service = units[f"cop-digest-{kind}.service"]
        timer = units[f"cop-digest-{kind}.timer"]
        assert service["Service"]["Type"] == "oneshot"
        assert service["Service"]["WorkingDirectory"] == str(folder)
        words = shlex.split(service["Service"]["ExecStart"])
        assert Path(words[0]).is_absolute() and os.access(words[0], os.X_OK)
        assert words[-3:] == ["--config", str(folder / "digest.toml"), kind]
        assert timer["Timer"]["Persistent"] == "true"
        assert timer["Timer"]["Unit"] == f"cop-digest-{kind}.service"
        assert timer["Install"]["WantedBy"] == "timers.target"
    assert units["cop-digest-collect.timer"]["Timer"]["OnCalendar"] == "*-*-* 06:15:00"
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the keys above are what can be checked without systemd
    paths = [str(folder / "schedule" / name) for name in UNITS]
    verified = subprocess.run([analyze, "verify", "--man=no", *paths], capture_output=True,
                              text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == "", verified.stderr  # unknown keys are only warnings
    for name in ("cop-digest-collect.timer", "cop-digest-run.timer"):
        for spec in _on_calendar(folder / "schedule" / name):
            parsed = subprocess.run([analyze, "calendar", spec], capture_output=True, text=True,
                                    timeout=60)
            assert parsed.returncode == 0, (spec, parsed.stderr)


def _on_calendar(path: Path) -> list[str]:
    return [line.split("=", 1)[1] for line in path.read_text().splitlines()
            if line.startswith("OnCalendar=")]


def test_the_monthly_timer_fires_on_the_first_and_resumes_on_the_next_days(tmp_path):
    init_organisation(tmp_path)
    assert _on_calendar(tmp_path / "schedule" / "cop-digest-run.timer") == [
        "*-*-01 07:30:00", "*-*-01..03 08..23:00:00"]


@pytest.mark.parametrize("folder_name", ["org", "org with spaces"])
def test_the_cron_lines_run_as_written(tmp_path, folder_name):
    folder = tmp_path / folder_name
    init_organisation(folder)
    lines = [line for line in (folder / "schedule" / "crontab").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) == 3
    fields = [line.split(None, 5) for line in lines]
    assert [f[:5] for f in fields] == [["15", "6", "*", "*", "*"], ["30", "7", "1", "*", "*"],
                                       ["0", "8-23", "1-3", "*", "*"]]
    collect_line = fields[0][5]
    assert collect_line.endswith("--quiet collect")
    # Run the collect line as cron would: through sh, from another directory, offline.
    done = subprocess.run(["/bin/sh", "-c", collect_line], cwd="/", capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # --quiet: nothing to mail when all is well
    assert (folder / "var" / "digest.db").is_file()


def test_the_notes_templates_for_community_leads_are_read_perfectly(tmp_path):
    init_organisation(tmp_path)
    leads = tmp_path / "for-community-leads"
    markdown = read_markdown((leads / "meeting-notes.md").read_text(encoding="utf-8"))
    assert markdown.meta["kind"] == "meeting"
    confluence = (leads / "meeting-notes-confluence.html").read_text(encoding="utf-8")
    for html in (markdown.html, confluence):
        found = extract_outcomes(html)
        assert [d.text for d in found.decisions] == [
            "One line per decision, written as a sentence that makes sense on its own.",
            "We hold the next show and tell online on the first Thursday of the month."]
        assert [(a.text, a.owner, a.due and a.due.isoformat()) for a in found.actions] == [
            ("What they will do", "Name One", "2026-10-28"),
            ("Book the room for the next session", "Name Two", "2026-11-04")]


def test_the_example_notes_fall_in_the_last_complete_month(tmp_path):
    init_organisation(tmp_path, now=datetime(2027, 3, 2, 9, tzinfo=UTC))
    meeting = read_markdown((tmp_path / "feeds" / "notes" / "example" / "example-meeting.md")
                            .read_text(encoding="utf-8"))
    assert meeting.meta["date"].isoformat() == "2027-02-14"
    assert "by 2027-02-28" in meeting.html


def test_python_dash_m_digest_runs_when_there_is_no_script(tmp_path):
    # The fallback command the schedule files use when no `digest` script sits beside Python.
    done = subprocess.run([sys.executable, "-m", "digest", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "init" in done.stdout


def test_every_scaffold_file_is_package_data():
    """An editable install hides a file the wheel would leave out: check the globs."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    package_data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    scaffold = root / "digest" / "scaffold"
    shipped = {p for package, patterns in package_data.items()
               if package.startswith("digest.scaffold")
               for pattern in patterns
               for p in root.joinpath(*package.split(".")).glob(pattern) if p.is_file()}
    on_disk = {p for p in scaffold.rglob("*") if p.is_file() and "__pycache__" not in p.parts
               and p.name != "__init__.py"}
    assert on_disk == shipped


def _accepted_keys(config_path: Path, table: str) -> set[str]:
    """The keys the loader accepts in `table`, read from its own 'unknown key' error, so the
    test follows config.py rather than a list that goes stale when a key is added."""
    from digest.config import load_config
    from digest.errors import ConfigError

    text = config_path.read_text(encoding="utf-8")
    probe = re.sub(rf"^(\[{table}\][^\n]*\n)", r"\1zz_not_a_key = 1\n", text, count=1, flags=re.M)
    assert probe != text, table
    config_path.write_text(probe, encoding="utf-8")
    try:
        with pytest.raises(ConfigError) as caught:
            load_config(config_path)
    finally:
        config_path.write_text(text, encoding="utf-8")
    message = str(caught.value)
    assert "zz_not_a_key" in message and "expected one of: " in message, message
    return {k.strip() for k in message.split("expected one of: ", 1)[1].split(",")}


def test_every_key_the_loader_accepts_is_in_the_written_digest_toml(tmp_path):
    """digest.toml from `digest init` lists every key of every table, commented or not, and
    with every line uncommented it still loads (no key there is unknown)."""
    from digest.config import load_config

    init_organisation(tmp_path)
    written = (tmp_path / "digest.toml").read_text(encoding="utf-8")
    # uncomment every `# key = value` and `# [table]` line, as an organiser would
    uncommented = re.sub(r"^# (\[\w+\]|\w+ = )", r"\1", written, flags=re.M)
    (tmp_path / "organisers.csv").write_text("email,name,communities\n", encoding="utf-8")
    trustme.CA().cert_pem.write_to_path(str(tmp_path / "relay-ca.pem"))  # [smtp] ca_file
    config_path = tmp_path / "digest.toml"
    config_path.write_text(uncommented.replace('method = "outbox"', 'method = "smtp"'),
                           encoding="utf-8")
    load_config(config_path)
    tables = re.findall(r"^\[(\w+)\]", uncommented, flags=re.M)
    for table in ("digest", "delivery", "smtp", "collect", "report"):
        assert table in tables, f"[{table}] is not in the written digest.toml"
        present = set(re.findall(r"^#? ?(\w+) = ",
                                 written.split(f"[{table}]", 1)[1].split("\n[", 1)[0]
                                 .split("\n# [", 1)[0], flags=re.M))
        missing = _accepted_keys(config_path, table) - present - {"password"}
        assert not missing, f"[{table}] keys missing from digest init's digest.toml: {missing}"


def _cron_jobs(text: str) -> list[tuple[str, ...]]:
    """(minute, hour, day, month, weekday, the digest command's words after `digest`)."""
    jobs = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(None, 5)
        jobs.append((*fields[:5], *fields[5].split("/digest ", 1)[1].split()))
    return jobs


def test_the_readme_cron_lines_are_the_ones_init_writes(tmp_path):
    init_organisation(tmp_path)
    written = _cron_jobs((tmp_path / "schedule" / "crontab").read_text(encoding="utf-8"))
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```cron\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README shows the cron lines"
    for block in blocks:
        assert _cron_jobs(block) == written


def test_the_schedule_files_say_how_to_run_weekly(tmp_path):
    """A weekly organisation scheduled monthly would send one week in four: both files carry
    the weekly lines, commented, and they are valid as written."""
    init_organisation(tmp_path)
    crontab = (tmp_path / "schedule" / "crontab").read_text(encoding="utf-8")
    weekly = [line.removeprefix("# ") for line in crontab.splitlines()
              if line.startswith("# ") and " --quiet run" in line]
    assert [line.split()[:5] for line in weekly] == [["30", "7", "*", "*", "1"],
                                                     ["0", "8-23", "*", "*", "1-3"]]
    timer = (tmp_path / "schedule" / "cop-digest-run.timer").read_text(encoding="utf-8")
    specs = [line.split("=", 1)[1] for line in timer.splitlines()
             if line.startswith("# OnCalendar=")]
    assert specs == ["Mon *-*-* 07:30:00", "Mon..Wed *-*-* 08..23:00:00"]
    analyze = shutil.which("systemd-analyze")
    for spec in specs if analyze else []:
        parsed = subprocess.run([analyze, "calendar", spec], capture_output=True, text=True,
                                timeout=60)
        assert parsed.returncode == 0, (spec, parsed.stderr)
