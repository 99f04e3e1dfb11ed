"""Read plan files (.txt, .md; more formats plug into READERS) into checked, decoded text."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class PlanFileError(ValueError):
    """A plan file cannot be used; the message names the file and says what to do."""


@dataclass(frozen=True)
class PlanText:
    """Decoded plan text and the encoding it was read with."""

    text: str
    encoding: str


# A reader turns a file's bytes into text; it raises PlanFileError for content it cannot use.
Reader = Callable[[Path, bytes], PlanText]


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF  # unified ideographs
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or o in (0x201C, 0x201D, 0x2018, 0x2019, 0x2026, 0x2014)  # “”‘’…— are common in Chinese text
    )


def _mostly_cjk(text: str) -> bool:
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and sum(map(_is_cjk, chars)) >= 0.5 * len(chars)


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:65536]
    # Control bytes other than tab, newlines, form feed and escape essentially never occur in text.
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > 0.02 * len(sample)


def _converted_name(path: Path) -> str:
    return f"{path.stem}.utf8{path.suffix}"


def read_text_bytes(path: Path, data: bytes) -> PlanText:
    """Decode a plain-text file: UTF-8 (BOM stripped), or GB18030 when that decodes cleanly to Chinese text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanFileError(
            f"{path}: UTF-16 text is not supported; convert it with "
            f"`iconv -f UTF-16 -t UTF-8 {path} > {_converted_name(path)}`"
        )
    if _looks_binary(data):
        raise PlanFileError(
            f"{path}: looks like a binary file, not plain text; export the plan as a UTF-8 .txt or .md file and try again"
        )
    try:
        return PlanText(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    # GBK/GB18030 is common for Chinese files; accept it only when the result reads as Chinese.
    if text is not None and _mostly_cjk(text):
        return PlanText(text, "gb18030")
    bad = data[utf8_error.start]
    raise PlanFileError(
        f"{path}: not UTF-8 text (byte 0x{bad:02x} at offset {utf8_error.start}); convert it with "
        f"`iconv -f <enc> -t UTF-8 {path} > {_converted_name(path)}`, where <enc> is the file's encoding "
        "(Chinese files: GB18030 or BIG5; Western files: CP1252)"
    )


# Suffix (lower case) -> reader. Add .docx / .pdf readers here.
READERS: dict[str, Reader] = {
    ".txt": read_text_bytes,
    ".md": read_text_bytes,
}


def read_plan_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PlanText:
    """Read and decode a plan file, raising PlanFileError with a fix for each problem."""
    path = Path(path)
    if not path.exists():
        raise PlanFileError(f"plan file not found: {path}; check the path (relative paths start at {Path.cwd()})")
    if not path.is_file():
        raise PlanFileError(f"{path} is not a file; pass the path of a plan file such as plan.txt")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(READERS))
        raise PlanFileError(
            f"{path}: unsupported file type '{path.suffix or '(none)'}'; supported: {supported}. "
            "Save the plan as UTF-8 text with one of these suffixes"
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise PlanFileError(
            f"{path} is {size:,} bytes, over the {max_bytes:,}-byte limit; split the plan into smaller files "
            "or raise max_bytes"
        )
    decoded = reader(path, path.read_bytes())
    if not decoded.text.strip():
        raise PlanFileError(f"{path} is empty (or only whitespace); put the plan text in it or choose another file")
    return decoded


def read_plan_text(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The decoded text of a plan file (BOM removed, line endings kept so offsets match the file)."""
    return read_plan_file(path, max_bytes=max_bytes).text
