"""A process for crash tests to kill: it ingests or writes conversation turns forever.

python tests/crash_driver.py ingest HOME DOCS
python tests/crash_driver.py turns HOME
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.settings import Settings  # noqa: E402
from tests.conftest import FakeEmbedder  # noqa: E402


class SlowFakeEmbedder(FakeEmbedder):
    """Slow enough that a kill lands in the middle of the work, not after it."""

    def encode(self, texts):
        time.sleep(0.02 * len(texts))
        return super().encode(texts)


def main() -> None:
    mode, home = sys.argv[1], Path(sys.argv[2])
    settings = Settings(home=home, refuse_below=0.15)
    from coach.facade import Coach

    coach = Coach(settings, embedder=SlowFakeEmbedder())
    if mode == "ingest":
        print("started", flush=True)
        from coach.ingest import ingest

        ingest(coach.store, settings, [Path(sys.argv[3])], embed_batch=4)
        print("finished", flush=True)
    elif mode == "turns":
        me = coach.mentee("ana")
        conv = me.create_conversation("crash test")
        print(f"conversation {conv.id}", flush=True)
        n = 0
        while True:
            n += 1
            me.add_message(conv.id, "user", f"question {n}")
            print(f"committed {n}", flush=True)  # only after the transaction commits


if __name__ == "__main__":
    main()
