"""Real servers on loopback for the scale-out tests: `chroma run` and a throwaway
PostgreSQL cluster from Debian's packages (`make test` installs them)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port


def answers(url: str) -> bool:
    """True once `url` serves a successful response."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def wait_until(ready, proc: subprocess.Popen, log: Path, what: str, timeout: float = 60) -> None:
    """Poll `ready()` until it holds; fail with the log's tail if `proc` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc.poll() is not None:
            pytest.fail(f"{what} exited: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{what} did not start within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def chroma_server(data: Path) -> Iterator[str]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    log_path = data / "chroma.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                str(chroma),
                "run",
                "--path",
                str(data / "chroma-db"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        url = f"http://127.0.0.1:{port}"

        wait_until(lambda: answers(f"{url}/api/v2/heartbeat"), proc, log_path, "chroma run")
        try:
            yield url
        finally:
            stop(proc)


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed; `make test` installs Debian's postgresql")
    return Path(found[-1]).parent


@contextlib.contextmanager
def postgres_server(data: Path) -> Iterator[str]:
    """A new cluster in `data`, trusting loopback, on a free port. PostgreSQL refuses to
    run as root, so as root it runs as the `postgres` user that Debian's package made."""
    bin_dir = postgres_bin()
    cluster = data / "pg"
    cluster.mkdir(parents=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        shutil.chown(cluster, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(cluster),
            "-U",
            "postgres",
            "--auth=trust",
            "--locale=C.UTF-8",
            "--encoding=UTF8",
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log_path = data / "postgres.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                *as_user,
                str(bin_dir / "postgres"),
                "-D",
                str(cluster),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={cluster}",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"postgresql://postgres@127.0.0.1:{port}"

        def ready() -> bool:
            return (
                subprocess.run(
                    [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                    capture_output=True,
                ).returncode
                == 0
            )

        wait_until(ready, proc, log_path, "postgres")
        try:
            yield url
        finally:
            stop(proc)


def create_database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"
