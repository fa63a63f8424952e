"""Run `send_period` in its own process, as cron would: for the crash and lock tests.

usage: python tests/send_runner.py CONFIG PERIOD READERS [HTML_KB]
Exits with the report's exit code, or the error's.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deliver_support import FAST_RETRY, audience, edition  # noqa: E402

from digest.config import load_config  # noqa: E402
from digest.deliver import send_period  # noqa: E402
from digest.errors import DigestError  # noqa: E402
from digest.store import Store  # noqa: E402


def main(argv: list[str]) -> int:
    config = load_config(argv[0])
    html_kb = int(argv[3]) if len(argv) > 3 else 2
    with Store(config.state_path) as store:
        try:
            report = send_period(config, store, argv[1], audience(int(argv[2]), edition(html_kb)),
                                 retry=FAST_RETRY)
        except DigestError as e:
            print(f"error: {e}", file=sys.stderr)
            return e.exit_code
    print(report.summary_line(), flush=True)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
