"""`digest init`: a working set-up for a new organisation, written into a folder.

The files come from the package's `digest/scaffold/` (package data, so they can be
read and reviewed as the files they are). Each is a `string.Template` filled with the
folder's absolute path, the command that runs the digest, and dates that put the
example community's notes in the last complete month, so `digest run` right after
`digest init` builds an issue with something in it, offline.

Nothing is ever overwritten: a file that exists is kept and reported.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

from .errors import DigestError
from .period import Period

SCAFFOLD_PACKAGE = "digest.scaffold"
_NOT_SCAFFOLD = frozenset({"__init__.py", "__pycache__"})


@dataclass
class InitResult:
    folder: Path
    written: list[str] = field(default_factory=list)  # paths relative to the folder
    kept: list[str] = field(default_factory=list)  # already there: left as they were


def scaffold_files() -> list[tuple[str, Traversable]]:
    """(relative path, resource) for every file `digest init` writes, in a stable order."""
    out: list[tuple[str, Traversable]] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.name in _NOT_SCAFFOLD or child.name.endswith(".pyc"):
                continue
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            else:
                out.append((f"{prefix}{child.name}", child))

    walk(resources.files(SCAFFOLD_PACKAGE), "")
    return sorted(out, key=lambda pair: pair[0])


def digest_command() -> str:
    """The absolute command that runs this digest: the `digest` script beside this Python
    (a virtualenv's bin/), else this Python with `-m digest`."""
    script = Path(sys.executable).parent / "digest"
    if script.is_file():
        return str(script.absolute())
    return f"{Path(sys.executable).absolute()} -m digest"


def _systemd_word(text: str) -> str:
    """One word of a systemd Exec line: specifiers escaped, quoted when it holds spaces."""
    text = text.replace("%", "%%")
    if any(ch.isspace() for ch in text) or '"' in text or "\\" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def template_values(folder: Path, now: datetime) -> dict[str, str]:
    # The scaffold's digest.toml says timezone = "UTC" and a monthly cadence.
    start = Period.last_complete(now, ZoneInfo("UTC"), "monthly").first_day
    meeting = start + timedelta(days=13)
    command = digest_command()
    command_words = command.split(" -m ") if " -m " in command else [command]
    return {
        "root": str(folder),
        "root_cron": shlex.quote(str(folder)),
        "digest_cron": " -m ".join(shlex.quote(w) for w in command_words),
        "root_unit": str(folder).replace("%", "%%"),
        "digest_unit": " -m ".join(_systemd_word(w) for w in command_words),
        "config_unit": _systemd_word(str(folder / "digest.toml")),
        "today": now.date().isoformat(),
        "meeting_date": meeting.isoformat(),
        "post_date": (start + timedelta(days=19)).isoformat(),
        "due_first": (meeting + timedelta(days=14)).isoformat(),
        "due_second": (meeting + timedelta(days=28)).isoformat(),
    }


def init_organisation(folder: Path, *, now: datetime | None = None) -> InitResult:
    """Write the scaffold into `folder` (created if need be); never overwrite a file."""
    folder = folder.expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise DigestError(f"{folder} is a file: give `digest init` a folder")
    values = template_values(folder, (now or datetime.now(UTC)).astimezone(UTC))
    result = InitResult(folder)
    for relative, resource in scaffold_files():
        target = folder / relative
        text = Template(resource.read_text(encoding="utf-8")).substitute(values)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8") as f:
                f.write(text)
        except FileExistsError:
            result.kept.append(relative)
            continue
        except OSError as e:
            raise DigestError(f"cannot write {target}: {e.strerror or e}") from None
        result.written.append(relative)
    return result


def next_steps(result: InitResult) -> list[str]:
    """What the organiser does next, with the folder's own paths."""
    config = result.folder / "digest.toml"
    cfg = shlex.quote(str(config))
    digest = "digest" if shutil.which("digest") else digest_command()
    return [
        f"1. Edit {config} (organisation, from, unsubscribe_mailto, timezone) and "
        f"{result.folder / 'feeds' / 'communities.toml'} (your communities).",
        f"2. Check the set-up:        {digest} --config {cfg} check",
        f"3. Build and send offline:  {digest} --config {cfg} run   "
        f"(the emails land in {result.folder / 'out' / 'outbox'})",
        f"4. Look at it:              {digest} --config {cfg} preview",
        "5. Schedule it: paste schedule/crontab into `crontab -e`, or copy schedule/*.service "
        "and *.timer to /etc/systemd/system/ and run `systemctl enable --now "
        "cop-digest-collect.timer cop-digest-run.timer`.",
        "6. Give for-community-leads/meeting-notes.md (or the Confluence version) to each "
        "community's lead.",
    ]
