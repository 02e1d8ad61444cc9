"""Summarise a py-spy raw (collapsed) profile: the top frames by own and by total time.

    .venv/bin/python benchmarks/profile_summary.py PROFILE.raw [--top 15] [--under FUNC]

`--under` keeps only samples whose stack passes through a frame containing FUNC, so the
set-up (loading the model, building BM25) can be left out of a steady-state profile.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r" \((?P<file>[^:()]+):(?P<line>\d+)\)$")


def short(frame: str) -> str:
    """`func (path/to/site-packages/pkg/mod.py:12)` -> `func (pkg/mod.py)`."""
    m = _LINE.search(frame)
    if not m:
        return frame
    path = m.group("file")
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{frame[: m.start()]} ({path})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("profile")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--under", default=None)
    args = ap.parse_args()
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in Path(args.profile).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [short(f) for f in stack.split(";")]
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if args.under and not any(args.under in f for f in frames):
            continue
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for f in set(frames):
            total[f] += n
    print(f"samples: {samples}" + (f" (under {args.under})" if args.under else ""))
    print(f"\ntop {args.top} by own time:")
    for f, n in own.most_common(args.top):
        print(f"  {100 * n / samples:5.1f}%  {f}")
    print(f"\ntop {args.top} by total time:")
    for f, n in total.most_common(args.top):
        print(f"  {100 * n / samples:5.1f}%  {f}")


if __name__ == "__main__":
    main()
