"""Settings: environment parsing, and the README documents every variable."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.settings import DEFAULT_PLAN, Settings, documented_variables, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_point_at_the_shipped_plan():
    s = Settings.from_env({})
    assert s.plans == (DEFAULT_PLAN,) and DEFAULT_PLAN.exists()
    assert s.host == "127.0.0.1" and s.chroma_url is None


def test_environment_is_parsed_and_overrides_win(tmp_path):
    env = {"PLAN_ASSISTANT_K": "7", "PLAN_ASSISTANT_HOME": str(tmp_path), "PLAN_ASSISTANT_PLANS": "/a.txt:/b.txt"}
    s = Settings.from_env(env, k=3)
    assert s.k == 3 and s.home == tmp_path and s.plans == (Path("/a.txt"), Path("/b.txt"))
    assert s.chroma_dir == tmp_path / "chroma"


def test_bad_number_names_the_variable():
    with pytest.raises(ValueError, match="PLAN_ASSISTANT_PORT"):
        Settings.from_env({"PLAN_ASSISTANT_PORT": "eighty"})


def test_secrets_stay_out_of_repr():
    s = Settings.from_env({"PLAN_ASSISTANT_LLM_API_KEY": "sk-secret-123", "PLAN_ASSISTANT_PASSWORD": "hunter2"})
    assert "sk-secret-123" not in repr(s) and "hunter2" not in repr(s)


def test_readme_documents_every_setting():
    readme = README.read_text(encoding="utf-8")
    missing = [env for env, _, _ in documented_variables() if f"`{env}`" not in readme]
    assert not missing, f"README lacks {missing}; paste `python -m index.settings` into it"
    assert markdown_table() in readme


def test_keyword_overrides_are_coerced_like_the_environment(tmp_path):
    s = Settings.from_env({}, home=str(tmp_path), plans=[str(tmp_path / "a.txt")], k="7", dense_weight=1, chroma_url="")
    assert s.home == tmp_path and isinstance(s.home, Path) and s.chroma_dir == tmp_path / "chroma"
    assert s.plans == (tmp_path / "a.txt",) and s.k == 7 and s.dense_weight == 1.0 and isinstance(s.dense_weight, float)
    assert s.chroma_url is None  # empty means unset, as for the variable
    changed = s.with_(model_cache=str(tmp_path / "m"), port="8000")
    assert changed.model_cache == tmp_path / "m" and changed.port == 8000
    with pytest.raises(ValueError, match="'k'|k="):
        Settings.from_env({}, k="many")
