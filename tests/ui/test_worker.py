"""ui/worker.py: `serve`'s answerer in a process of its own gives the page what the in-process answerer gives."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ui.worker import AnswerWorker


QUESTION = "深圳计划柔性引进多少名诺贝尔奖科学家？"


def _json(answer) -> dict:
    """The answer JSON without its timing (verification.offline.seconds), which differs run to run."""
    data = answer.to_json()
    data["verification"].get("offline", {}).pop("seconds", None)
    return data


@pytest.fixture(scope="module")
def remote(settings, plan_index):
    worker = AnswerWorker(settings)
    try:
        yield worker.assistant()
    finally:
        worker.close()


def test_answers_and_index_views_are_the_in_process_ones(remote, assistant) -> None:
    """ask, stream (partial texts, then the Answer once), a follow-up with history, and what the page reads of
    the index: equal to what a PlanAssistant in this process gives."""
    want = assistant.ask(QUESTION)
    assert _json(remote.ask(QUESTION)) == _json(want)
    streamed = list(remote.stream(QUESTION))
    assert [a for _, a in streamed[:-1]] == [None] * (len(streamed) - 1)
    assert _json(streamed[-1][1]) == _json(want)
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": want.text}]
    follow = "那实验室建在哪些领域？"
    assert _json(remote.ask(follow, history)) == _json(assistant.ask(follow, history))

    index = assistant.index
    assert remote.modes == assistant.modes
    assert remote.index.sections() == index.sections()
    assert remote.index.plans() == index.plans()
    assert remote.index.targets() == index.targets()
    section = index.sections()[5]
    cid = remote.index.citation_id(section)
    assert cid == index.citation_id(section) and remote.index.get(cid) == section


def test_errors_reach_the_page_as_the_same_exceptions(remote, assistant) -> None:
    """The page tells a user's mistake (ValueError, KeyError) from an internal error by its type: the worker's
    exceptions arrive as themselves."""
    with pytest.raises(KeyError, match="nosuchplan"):
        assistant.index.require_plan("nosuchplan")
    with pytest.raises(KeyError, match="nosuchplan"):
        remote.index.require_plan("nosuchplan")
    with pytest.raises(KeyError):
        assistant.index.get("九十九(九)9")
    with pytest.raises(KeyError):
        remote.index.get("九十九(九)9")
    with pytest.raises(AttributeError):
        remote.index.remove  # noqa: B018 - the page never writes to the index


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").glob("*/children") for c in task.read_text().split()]


def _maps(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_serve_splits_page_and_answerer_and_the_worker_dies_with_the_page(cli_env, plan_index, tmp_path: Path) -> None:
    """A real `plan-assistant serve`: the page process maps no Chroma (nor torch) library, the worker does; when
    the page process is killed outright (SIGKILL, no clean-up), the worker goes too."""
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "plan-assistant"), "serve", "--port", str(port)], env=cli_env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.5)
        [worker] = _children(proc.pid)
        assert "chromadb" not in _maps(proc.pid) and "libtorch" not in _maps(proc.pid)
        assert "chromadb" in _maps(worker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_an_opening_error_in_the_worker_is_one_clear_line(run_cli, tmp_path: Path) -> None:
    """The worker fails to open (a plan file that does not exist): `serve` says so in one line and exits 2,
    as the in-process error did, and leaves no worker behind."""
    missing = tmp_path / "missing-plan.txt"
    out = run_cli("serve", "--port", str(_free_port()),
                  env={"PLAN_ASSISTANT_HOME": str(tmp_path / "home"), "PLAN_ASSISTANT_PLANS": str(missing)}, timeout=300)
    assert out.returncode == 2, out.stderr
    assert "plan file not found" in out.stderr and str(missing) in out.stderr
    assert "Traceback" not in out.stderr
