"""All configuration in one place: a dataclass read from PLAN_ASSISTANT_* environment variables."""
from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_PLAN = PACKAGE_DIR / "plans" / "shenzhen-sti-13th-five-year-plan-E.txt"


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "plan-assistant"


CACHE_ENV = "PLAN_ASSISTANT_CACHE_DIR"


def cache_root(configured: Path | None = None) -> Path:
    """Where what is computed once for every home is kept: `configured`, else $PLAN_ASSISTANT_CACHE_DIR, else
    $XDG_CACHE_HOME (or ~/.cache)/plan-assistant."""
    if configured is not None:
        return Path(configured).expanduser()
    if override := os.environ.get(CACHE_ENV):
        return Path(override).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "plan-assistant"


def _env(name: str, doc: str, default: Any = None, **kwargs: Any) -> Any:
    """A settings field that records its environment variable and its documentation."""
    meta = {"env": name, "doc": doc}
    if callable(default):
        return field(default_factory=default, metadata=meta, **kwargs)
    return field(default=default, metadata=meta, **kwargs)


@dataclass(frozen=True)
class Settings:
    """Every tunable of plan-assistant; `Settings.from_env()` reads the environment."""

    home: Path = _env("PLAN_ASSISTANT_HOME", "Data directory: the embedded Chroma index lives in HOME/chroma, cached BM25 tokens in HOME/tokens.", _data_home)
    plans: tuple[Path, ...] = _env(
        "PLAN_ASSISTANT_PLANS",
        "Plan files indexed on first use, separated by the OS path separator (':'). Default: the shipped Shenzhen plan.",
        lambda: (DEFAULT_PLAN,),
    )
    model_path: Path | None = _env(
        "PLAN_ASSISTANT_MODEL",
        "A sentence-transformers model folder to use instead of the bundled multilingual-e5-small (changing it rebuilds the index).",
    )
    model_cache: Path | None = _env(
        "PLAN_ASSISTANT_MODEL_CACHE",
        "Where the converted e5 model is cached. Default: ~/.cache/plan-assistant/models/multilingual-e5-small-q4.",
    )
    cache_dir: Path | None = _env(
        "PLAN_ASSISTANT_CACHE_DIR",
        "What is computed once and shared by every home: CC-CEDICT and jieba tables (CACHE/dictionary) and e5 vectors of indexed and quoted text (CACHE/vectors), each keyed by what it depends on. Default: ~/.cache/plan-assistant. Safe to delete.",
    )
    embed_precision: str = _env(
        "PLAN_ASSISTANT_EMBED_PRECISION",
        "How the CPU runs the embedding model: auto (batches run on torch in bf16 where the CPU has native bf16, else fp32; questions on numpy in fp32), fp32, bf16 or int8 (both on torch; dynamic quantization: faster, vectors differ, so switching to or from it rebuilds the index). `python -m bench.scale --backends` compares them.",
        "auto",
    )
    embed_runtime: str = _env(
        "PLAN_ASSISTANT_EMBED_RUNTIME",
        "What runs the bundled e5: auto (questions on numpy, index/encoder_numpy.py, so a new process answers without importing torch; long batches such as indexing on torch), numpy, torch (index/encoder.py: sentence-transformers' vectors bit for bit, without importing transformers) or sentence-transformers. numpy's vectors are within 1e-6 of torch's. A PLAN_ASSISTANT_MODEL folder is always run by sentence-transformers.",
        "auto",
    )
    collection: str = _env("PLAN_ASSISTANT_COLLECTION", "Chroma collection name (ASCII).", "plan_sections")
    chroma_url: str | None = _env(
        "PLAN_ASSISTANT_CHROMA_URL",
        "http://HOST:PORT of a Chroma server (`chroma run`); unset means the embedded client in HOME/chroma.",
    )
    k: int = _env("PLAN_ASSISTANT_K", "Number of sections returned by search and used to ground an answer.", 5)
    dense_weight: float = _env(
        "PLAN_ASSISTANT_DENSE_WEIGHT", "Weight of the dense (e5) score in hybrid fusion; BM25 gets 1 - this (chosen by `python -m bench.tune_fusion`).", 0.45
    )
    candidates: int = _env("PLAN_ASSISTANT_CANDIDATES", "Candidates each retriever contributes before fusion.", 30)
    retriever: str = _env(
        "PLAN_ASSISTANT_RETRIEVER",
        "Ranking: hybrid (e5 + BM25 fused, with questions that name a box or item routed to it), dense or bm25 alone.",
        "hybrid",
    )
    fusion: str = _env(
        "PLAN_ASSISTANT_FUSION",
        "How hybrid mixes the two rankings: zscore or minmax (normalized weighted sum), or rrf (reciprocal rank).",
        "zscore",
    )
    llm_base_url: str | None = _env(
        "PLAN_ASSISTANT_LLM_BASE_URL", "OpenAI-compatible chat endpoint, e.g. http://127.0.0.1:8080/v1; unset = offline answerer."
    )
    llm_model: str | None = _env("PLAN_ASSISTANT_LLM_MODEL", "Model name sent to the LLM endpoint.")
    llm_api_key: str | None = _env(
        "PLAN_ASSISTANT_LLM_API_KEY", "API key for the LLM endpoint (read from the environment only, never logged).", repr=False
    )
    llm_timeout: float = _env("PLAN_ASSISTANT_LLM_TIMEOUT", "Seconds before an LLM call falls back to the offline answer.", 60.0)
    llm_max_tokens: int = _env("PLAN_ASSISTANT_LLM_MAX_TOKENS", "Most tokens the LLM may write for one answer.", 400)
    llm_k: int = _env(
        "PLAN_ASSISTANT_LLM_K", "Sections given to the LLM (the top of the search); each one adds prompt-reading time.", 3
    )
    llm_local_model: str = _env(
        "PLAN_ASSISTANT_LLM_LOCAL_MODEL",
        "Model `plan-assistant llm-server` serves: qwen2.5-coder-0.5b, qwen2.5-coder-1.5b (`make llm-install-large`) or a .gguf path.",
        "qwen2.5-coder-0.5b",
    )
    host: str = _env("PLAN_ASSISTANT_HOST", "Address `serve` binds; anything but 127.0.0.1/localhost needs a password.", "127.0.0.1")
    port: int = _env("PLAN_ASSISTANT_PORT", "Port `serve` listens on.", 7860)
    username: str | None = _env("PLAN_ASSISTANT_USERNAME", "Login name for the web chat (required off localhost).")
    password: str | None = _env("PLAN_ASSISTANT_PASSWORD", "Password for the web chat (required off localhost).", repr=False)
    ui_language: str = _env("PLAN_ASSISTANT_UI_LANG", "Web chat labels: zh (default) or en.", "zh")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Read every PLAN_ASSISTANT_* variable; keyword overrides win (used by the CLI flags)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, f.type, raw, f.metadata["env"])
        values.update(_coerce_all(overrides, skip_none=True))
        return cls(**values)

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **_coerce_all(changes))

    @property
    def chroma_dir(self) -> Path:
        return Path(self.home) / "chroma"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url)


def _coerce_all(values: dict[str, Any], skip_none: bool = False) -> dict[str, Any]:
    """Keyword values brought to their field's type: home="/x" becomes a Path, like the same value read from the environment."""
    by_name = {f.name: f for f in fields(Settings)}
    out = {}
    for name, value in values.items():
        if skip_none and (value is None or value == ""):  # as in the environment: empty means unset
            continue
        f = by_name.get(name)
        out[name] = value if f is None else _coerce(f.type, value, name)  # unknown names: the dataclass says so
    return out


def _coerce(type_: Any, value: Any, name: str) -> Any:
    kind = str(type_)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _parse(name, type_, value, name)
    if "tuple" in kind and isinstance(value, (list, tuple)):
        return tuple(Path(p).expanduser() for p in value)
    if "tuple" in kind and isinstance(value, os.PathLike):
        return (Path(value).expanduser(),)
    if "Path" in kind and isinstance(value, os.PathLike):
        return Path(value).expanduser()
    if kind.startswith("float") and isinstance(value, int):
        return float(value)
    return value


def _parse(name: str, type_: Any, raw: str, env_name: str) -> Any:
    kind = str(type_)
    try:
        if "tuple" in kind:
            return tuple(Path(p).expanduser() for p in raw.split(os.pathsep) if p)
        if "Path" in kind:
            return Path(raw).expanduser()
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise ValueError(f"{env_name}={raw!r} is not a valid {kind.split(' ')[0]}; fix or unset it") from None
    return raw


def documented_variables() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting: the README table is checked against this."""
    rows = []
    for f in fields(Settings):
        default = "" if f.default in (MISSING, None) else str(f.default)
        rows.append((f.metadata["env"], default, f.metadata["doc"]))
    return rows


def markdown_table() -> str:
    """The README's settings table (`python -m index.settings` prints it)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{env}` | {f'`{d}`' if d else ''} | {doc} |" for env, d, doc in documented_variables()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
