"""Server mode: a real `chroma run` on 127.0.0.1 shared by several processes, restarted with its data intact."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index import PlanIndex

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent.parent / "data" / "plans"
PLANS = [DATA / "box_last.txt", DATA / "trap.txt"]  # small: server behaviour is the point, not embedding time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """`chroma run` (the console script in the venv) on a free loopback port, over one data directory."""

    def __init__(self, path: Path, log: Path) -> None:
        self.path, self.log = path, log
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> "ChromaServer":
        port = free_port()
        exe = Path(sys.executable).parent / "chroma"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-2000:]
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"chroma run did not answer within 60 s; log: {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chroma-server")
    srv = ChromaServer(folder / "data", folder / "server.log").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def indexed(server, run_cli, tmp_path_factory):
    """Both plans indexed through the CLI into the server; the home directory must stay empty."""
    home = tmp_path_factory.mktemp("server-home")
    args = ["index", "--chroma-url", server.url]
    out = run_cli(*args, *[a for p in PLANS for a in ("--plan", str(p))], env={"PLAN_ASSISTANT_HOME": str(home)})
    assert out.returncode == 0, out.stderr
    assert "box_last: 12 sections (12 embedded" in out.stdout and server.url in out.stdout
    assert not any(home.iterdir()), "server mode must write nothing (no chroma dir, no lock) to the home"
    return {"PLAN_ASSISTANT_HOME": str(home), "PLAN_ASSISTANT_CHROMA_URL": server.url}


def stored_sections(idx: PlanIndex) -> int:
    """Sections with vectors in Chroma (a section may have several: its passage and its sentences)."""
    return len({(m["plan"], m["section_id"]) for m in idx.collection.get(include=["metadatas"])["metadatas"]})


def search_json(run_cli, env, *extra: str) -> dict:
    out = run_cli("search", "诺贝尔奖科学家", "--k", "4", "--json", *extra, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_two_processes_query_the_server_at_once(indexed, cli_env):
    exe = str(Path(sys.executable).parent / "plan-assistant")
    cmd = [exe, "search", "诺贝尔奖科学家", "--k", "4", "--json"]
    procs = [
        subprocess.Popen(cmd, env={**cli_env, **indexed}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    first, second = (json.loads(out) for out, _ in results)
    assert first == second
    ids = [r["id"] for r in first["results"]]
    assert len(ids) == 4 and all(i.split(":", 1)[0] in {"box_last", "trap"} for i in ids)


def test_python_api_sees_what_the_cli_indexed(indexed, settings, run_cli):
    idx = PlanIndex.open(settings.with_(chroma_url=indexed["PLAN_ASSISTANT_CHROMA_URL"]), build=False)
    assert [(p.name, p.sections) for p in idx.plans()] == [("box_last", 12), ("trap", 9)]
    hits = idx.search("诺贝尔奖科学家", k=4)
    assert [idx.citation_id(h.section) for h in hits] == [r["id"] for r in search_json(run_cli, indexed)["results"]]
    trap = idx.search("诺贝尔奖科学家", k=3, plan="trap")
    assert trap and {h.section.plan for h in trap} == {"trap"}


def test_restarted_server_keeps_the_index(server, indexed, run_cli):
    before = search_json(run_cli, indexed)
    server.stop()
    down = run_cli("plans", env=indexed)
    assert down.returncode == 2 and "Cannot reach the Chroma server" in down.stderr and "chroma run" in down.stderr
    server.start()  # same data directory, new port
    env = {**indexed, "PLAN_ASSISTANT_CHROMA_URL": server.url}
    listed = run_cli("plans", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [(p["name"], p["sections"]) for p in json.loads(listed.stdout)] == [("box_last", 12), ("trap", 9)]
    assert search_json(run_cli, env) == before
    indexed["PLAN_ASSISTANT_CHROMA_URL"] = server.url  # later tests talk to the restarted server


def test_rebuild_and_remove_drop_collections_on_the_server(server, indexed, run_cli, settings):
    out = run_cli("remove", "trap", env=indexed)
    assert out.returncode == 0 and "removed trap (9 sections)" in out.stdout, out.stderr
    idx = PlanIndex(settings.with_(chroma_url=server.url))
    assert idx.plan_names() == ["box_last"] and stored_sections(idx) == 12
    out = run_cli("index", "--rebuild", "--plan", str(PLANS[1]), env=indexed)
    assert out.returncode == 0, out.stderr
    # --rebuild embeds every plan the index holds again (from its stored text), with the files given added.
    assert "box_last: 12 sections (12 embedded, 0 unchanged, 0 removed), from the stored text" in out.stdout
    assert "trap: 9 sections (9 embedded" in out.stdout
    idx = PlanIndex(settings.with_(chroma_url=server.url))
    assert idx.plan_names() == ["box_last", "trap"] and stored_sections(idx) == 21
    assert server.path.is_dir()  # the server's directory is the server's: only collections were dropped
