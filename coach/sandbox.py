"""Read untrusted files in a worker process, under CPU-time, memory and wall-clock limits.

An upload is parsed (PDF, Markdown with front matter, HTML, text) by a fresh Python
process that first caps its own CPU time and address space (`resource` limits) and lowers
its priority, so a file built to inflate or to spin can only exhaust its own worker: the
kernel stops it at the CPU limit, an allocation past the memory limit fails, and the
parent kills it at the wall-clock limit. The server keeps answering other users meanwhile.
Each breach becomes a `LoadError` with a plain reason.

The worker imports only the loader (coach.load): no models, no database, no settings.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from coach.errors import LoadError
from coach.types import Document

TOO_LONG = "the file took too long to read"
TOO_BIG = "the file needs too much memory to read"
CRASHED = "the file could not be read"
_ROOT = str(Path(__file__).resolve().parent.parent)
# -I: no user site, no PYTHON* variables, no current folder on the path; the package is
# found where this one lives.
_BOOT = f"import sys; sys.path.insert(0, {_ROOT!r}); from coach.sandbox import _worker; _worker()"


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 3.0
    wall_seconds: float = 4.0
    memory_mb: int = 512
    workers: int = 2
    max_bytes: int = 20_000_000
    max_pages: int = 100
    max_chars: int = 300_000


_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _slot(workers: int) -> threading.BoundedSemaphore:
    """At most `workers` files are parsed at once in this process; more wait their turn."""
    with _slots_lock:
        return _slots.setdefault(workers, threading.BoundedSemaphore(workers))


def read_untrusted(path: Path, source: str, limits: Limits) -> Document:
    """Load one file in a limited worker process. Raises `LoadError` (naming `path`) when
    the file cannot be read or breaks a limit; never returns a partial document."""
    request = json.dumps({"path": str(path), "source": source, **asdict(limits)})
    with _slot(limits.workers):
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-c", _BOOT],
                input=request.encode(),
                capture_output=True,
                timeout=limits.wall_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:  # run() has killed the worker
            raise LoadError(str(path), TOO_LONG) from None
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise LoadError(str(path), TOO_LONG)
    try:
        reply = json.loads(done.stdout)
    except ValueError:
        reply = {}
    if "error" in reply:
        raise LoadError(str(path), str(reply["error"]))
    if done.returncode != 0 or "document" not in reply:
        raise LoadError(str(path), CRASHED)
    fields = reply["document"]
    for key in ("topics", "stages"):
        fields[key] = tuple(fields[key])
    return Document(**fields)


def _worker() -> None:
    """The worker's side: limit this process, read the request, load, reply in JSON."""
    import resource

    request = json.loads(sys.stdin.buffer.read())
    cpu = max(1, math.ceil(request["cpu_seconds"]))
    # Past the soft limit the kernel sends SIGXCPU, which ends the process; the hard
    # limit one second later is SIGKILL, in case the first signal is caught.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = int(request["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(5)  # the server's own threads (other users' answers) come first
    try:
        from coach.load import load

        doc = load(
            Path(request["path"]),
            request["source"],
            max_bytes=request["max_bytes"],
            max_pages=request["max_pages"],
        )
        if len(doc.text) > request["max_chars"]:
            reply = {
                "error": f"the text is {len(doc.text):,} characters; the limit is "
                f"{request['max_chars']:,}"
            }
        else:
            reply = {"document": asdict(doc)}
    except LoadError as exc:
        reply = {"error": exc.reason}
    except MemoryError:
        doc = None
        reply = {"error": TOO_BIG}
    except RecursionError:
        reply = {"error": CRASHED}
    sys.stdout.write(json.dumps(reply))
    sys.stdout.flush()
