"""Edition sizes for large organisations: does every edition stay under Gmail's clip?

An organisation of N communities, each with 20 posts, 4 meetings of 5 decisions and 5
actions, and 4 sessions in the coming period (tests/large_org.py, the organisation that
tests/test_size_budget.py pins at 50; every action open and owned by one of 90 people).
For N = 6, 12, 24 and 50 it renders the editions a reader of everything, of one community
and of half of them get, as the build does: each reader's own block at a glance rendered
once per distinct content, the largest per edition counted against the budget. It prints
each edition's HTML size with its largest own block put in, that block's size, the detail
level and layout the size budget chose, and what the least detail of the full layout would
have weighed (why the summary layout exists).

Run: make bench (or PYTHONPATH=. .venv/bin/python bench/size_bench.py)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.manifest import fill_slot  # noqa: E402
from digest.render import GMAIL_CLIP_BYTES, SIZE_BUDGET_BYTES, Renderer  # noqa: E402
from digest.render.personal import PersonalBlocks  # noqa: E402
from digest.render.view import DETAIL_LEVELS, audience, build_view, edition_key  # noqa: E402
from tests.large_org import large_config, large_issue, large_readers  # noqa: E402

SIZES = (6, 12, 24, 50)


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def main() -> None:
    print(f"budget {kb(SIZE_BUDGET_BYTES)}, Gmail clips at about {kb(GMAIL_CLIP_BYTES)}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'communities':>11}  {'edition':<12} {'HTML':>9}  {'own block':>9}  {'level':>5}  "
          f"{'layout':<8} {'text':>9}  {'render':>8}")
    worst = 0
    least_full = max(i for i, d in enumerate(DETAIL_LEVELS) if d.layout == "full")
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            config = large_config(Path(tmp), n)
            issue = large_issue(config)
            renderer = Renderer(config)
            ids = [c.id for c in config.communities]
            audiences = {"everything": None, "one": frozenset(ids[:1]),
                         "half": frozenset(ids[: n // 2])}
            readers = large_readers(list(audiences.values()))
            personal = PersonalBlocks(renderer, issue, set(ids))
            personal.assign(readers)
            for name, communities in audiences.items():
                key = edition_key(audience(communities, set(ids)))
                started = time.perf_counter()
                edition = renderer.render(issue, communities, personal.largest.get(key, 0))
                took = time.perf_counter() - started
                blocks = {personal.readers.get(r.email, personal.default[key])
                          for r in readers if edition_key(audience(r.communities, set(ids))) == key}
                own = max((personal.blocks[b] for b in blocks), key=lambda b: len(b.html.encode()))
                size = len(fill_slot(edition.html, own.html)[0].encode())
                worst = max(worst, size)
                detail = DETAIL_LEVELS[edition.detail_level]
                print(f"{n:>11}  {name:<12} {kb(size):>9}  {kb(len(own.html.encode())):>9}  "
                      f"{edition.detail_level:>5}  {detail.layout:<8} "
                      f"{kb(len(edition.text.encode())):>9}  {took * 1e3:6.0f} ms")
            view = build_view(config, issue, None, DETAIL_LEVELS[least_full])
            full = len(renderer.html(view).encode())
            print(f"{'':>11}  (everything at the least detail of the full layout: {kb(full)})")
    verdict = "every edition under the budget" if worst < SIZE_BUDGET_BYTES else "OVER BUDGET"
    print(f"largest edition {kb(worst)}: {verdict}")


def message_cost() -> None:
    """What the per-reader unsubscribe link in the footers costs at send time."""
    from digest.deliver.message import MessageFactory
    from digest.models import Recipient

    readers = [Recipient(f"reader{i:05d}@example.org", f"Reader {i}", None) for i in range(2000)]
    for url in ("https://intranet.example.org/leave", "https://intranet.example.org/leave?u={email}"):
        with tempfile.TemporaryDirectory() as tmp:
            config = large_config(Path(tmp), 50)
            config = replace(config, delivery=replace(config.delivery, unsubscribe_url=url))
            edition = Renderer(config).render(large_issue(config), None)
            factory = MessageFactory(config, "2026-10")
            factory.message_bytes(edition, readers[0], "<warm@example.org>")
            started = time.perf_counter()
            for r in readers:
                factory.message_bytes(edition, r, "<id@example.org>")
            each = (time.perf_counter() - started) / len(readers)
            personal = "{email}" in url
            kind = "own address in the header and footers" if personal else "one link for all"
            line = f"assembling a {kb(edition.html_bytes)} message ({kind}): {each * 1e6:.0f} µs"
            if personal:  # the footers alone (the header's cost was there before them)
                template = factory._template(edition)
                started = time.perf_counter()
                for r in readers:
                    template.body_for(r.email)
                footers = (time.perf_counter() - started) / len(readers)
                line += f", of which the footers {footers * 1e6:.0f} µs"
            print(line)


if __name__ == "__main__":
    main()
    message_cost()
