"""Building a Config in code for collect tests (no TOML needed)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from digest.config import CollectSettings, Community, Config, DeliverySettings


def make_config(tmp: Path, communities: list[Community], **collect: object) -> Config:
    settings = CollectSettings(**{"timeout": 3.0, "connect_timeout": 2.0, **collect})
    return Config(
        path=tmp / "digest.toml", title="Test Digest", organisation="Example Org",
        cadence="monthly", timezone=ZoneInfo("UTC"), feeds_path=tmp / "communities.toml",
        state_path=tmp / "digest.db", out_path=tmp / "out", communities=tuple(communities),
        delivery=DeliverySettings(method="outbox", sender="Digest <digest@example.org>",
                                  recipients=tmp / "recipients.csv"),
        collect=settings)


def community(cid: str, posts: list[str] = (), meetings: list[str] = (),
              calendar: str | None = None) -> Community:
    return Community(id=cid, name=cid.title(), description="", posts=tuple(posts),
                     meetings=tuple(meetings), calendar=calendar)
