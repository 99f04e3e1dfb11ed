"""Session fixtures: the real model is loaded once and the default plan indexed once, in a temporary home."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def model():
    from index.embedder_cache import get_embedder

    return get_embedder(None)


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def settings(home):
    from index import Settings

    # Start from an empty environment so a developer's own PLAN_ASSISTANT_* variables cannot leak in.
    return Settings.from_env({}, home=home)


@pytest.fixture(scope="session")
def plan_index(settings, model):
    from index import PlanIndex

    return PlanIndex.open(settings)


@pytest.fixture(scope="session")
def assistant(plan_index):
    from assistant import PlanAssistant

    return PlanAssistant(plan_index)


@pytest.fixture
def fresh_settings(tmp_path, settings):
    """A settings object for an empty home of its own, for tests that write to an index."""
    return settings.with_(home=tmp_path / "home")


@pytest.fixture(scope="session")
def cli_env(home) -> dict[str, str]:
    """Environment for CLI subprocesses: the session's home, the venv's console script on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAN_ASSISTANT_")}
    env["PLAN_ASSISTANT_HOME"] = str(home)
    return env


@pytest.fixture(scope="session")
def run_cli(cli_env):
    """Run the real `plan-assistant` console script in a subprocess."""
    exe = str(Path(sys.executable).parent / "plan-assistant")
    if not Path(exe).exists():
        exe = shutil.which("plan-assistant") or exe

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [exe, *args], env={**cli_env, **(env or {})}, capture_output=True, text=True, timeout=timeout
        )

    return run


class _Recorder:
    """Passes questions to the assistant and keeps every Answer, so quotes can be checked after the run."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.answers: list = []

    def ask(self, question, history=None, **kwargs):
        answer = self.assistant.ask(question, history, **kwargs)
        self.answers.append(answer)
        return answer


@pytest.fixture(scope="session")
def fixed_set_run(assistant):
    """One `ask` run over the whole fixed question set, shared by every test that checks its figures."""
    from assistant.eval_questions import DEFAULT_SET, load_questions
    from assistant.evaluation import evaluate

    recorder = _Recorder(assistant)
    report = evaluate(assistant.index, load_questions(DEFAULT_SET), assistant=recorder, question_set=str(DEFAULT_SET))
    return report, recorder.answers


REPORTS = DATA / "corpora" / "gov-work-reports"


@pytest.fixture(scope="session")
def report_2022(tmp_path_factory, settings, model):
    """The whole real 2022 report, alone in its index."""
    from assistant import PlanAssistant
    from index import PlanIndex

    pa = PlanAssistant(PlanIndex(settings.with_(home=tmp_path_factory.mktemp("report-2022"))))
    pa.index.build([REPORTS / "government-work-report-2022.txt"])
    return pa
COMPARE_YEARS = (2016, 2017, 2024)


def cut_report(text: str, keep: int = 400) -> str:
    """A government work report cut to what comparing needs, so tests index it in seconds: the title, each
    chapter's heading and its first lines up to `keep` characters, and the whole own text of the chapter that sets the year's
    goals (from 预期目标是 on); numbered subsections ((一)…) are left out. IDs stay those of the full report."""
    import re

    lines = [line for line in text.split("\n") if line.strip() and line.strip() != "\u200b"]
    out: list[str] = []
    chapter, kept, goals, started = None, 0, False, False
    for line in lines:
        s = line.strip()
        if re.match(r"^[一二三四五六七八九十]+、", s):
            chapter, kept, goals, started = s, 0, False, True
            out.append(line)
            continue
        if re.match(r"^[（(][一二三四五六七八九十]+[)）]", s):
            chapter = None
            continue
        if chapter is None:
            if not started:
                out.append(line)  # title and preamble
            continue
        goals = goals or "预期目标是" in s
        if kept < keep or goals:
            out.append(line)
            kept += len(s)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="session")
def compare_files(tmp_path_factory) -> list[Path]:
    """Three real reports (2016, 2017, 2024), cut by `cut_report`, under their own names."""
    folder = tmp_path_factory.mktemp("reports")
    files = []
    for year in COMPARE_YEARS:
        name = f"government-work-report-{year}.txt"
        path = folder / name
        path.write_text(cut_report((REPORTS / name).read_text(encoding="utf-8")), encoding="utf-8")
        files.append(path)
    return files


@pytest.fixture(scope="session")
def compare_home(tmp_path_factory, compare_files, run_cli) -> Path:
    """A home with the three cut reports, indexed by the real CLI with several files after one --plan."""
    home = tmp_path_factory.mktemp("compare-home")
    done = run_cli("index", "--plan", *map(str, compare_files), env={"PLAN_ASSISTANT_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture(scope="session")
def compare_assistant(compare_home, settings):
    from assistant import PlanAssistant
    from index import PlanIndex

    return PlanAssistant(PlanIndex.open(settings.with_(home=compare_home)))
