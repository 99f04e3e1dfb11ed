"""Read plan files (.txt, .md, .docx, .pdf; more formats plug into READERS) into checked, decoded text."""
from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .numbering import classify

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

log = logging.getLogger(__name__)


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


def _auto_numbered(paragraph) -> bool:
    """Whether Word numbers this paragraph itself (numPr on the paragraph or on its style chain)."""
    ppr, style = paragraph._p.pPr, paragraph.style
    if ppr is not None and ppr.numPr is not None:
        return True
    while style is not None:
        if style.element.pPr is not None and style.element.pPr.numPr is not None:
            return True
        style = style.base_style
    return False


def read_docx_bytes(path: Path, data: bytes) -> PlanText:
    """A Word .docx file via python-docx: body paragraphs and table cells in document order, one line each."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanFileError(
            f"{path}: not a readable Word .docx file ({exc}); open it in Word or LibreOffice and save it as .docx "
            "(an old .doc file renamed to .docx will not do), or export the plan as .pdf or UTF-8 .txt"
        ) from None
    lines: list[str] = []
    auto_numbered = 0

    def walk(container) -> None:
        nonlocal auto_numbered
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                seen: list = []  # a merged cell is returned once per grid cell it spans, across rows too
                for row in block.rows:
                    for cell in row.cells:
                        if not any(cell._tc is tc for tc in seen):
                            seen.append(cell._tc)
                            walk(cell)
                continue
            auto_numbered += _auto_numbered(block)
            lines.extend(block.text.splitlines() or [""])

    walk(doc)
    if auto_numbered:
        # Word's automatic list numbers are rendered from numbering.xml, not stored in the text.
        log.warning(
            "%s: %d paragraphs use Word's automatic numbering, whose numbers are not part of the text; if sections "
            "are missing, save the document as PDF (which keeps the numbers) and index that file",
            path,
            auto_numbered,
        )
    return PlanText("\n".join(lines) + "\n", "docx")


# A line that is only a page number: "3", "- 3 -", "— 3 —", "第3页", "第 3 页 共 20 页", "3 / 20".
_PAGE_NUMBER = re.compile(
    r"[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d{1,4}\s*页(\s*[,，]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
)
_CLAUSE_END = "。！？；：!?;:"
WRAP_MIN_WIDTH = 20  # display columns: narrower "full" lines are too short to be wrapped prose
WRAP_MIN_LINES = 8  # so few full-width lines do not show a wrap width


def _width(line: str) -> int:
    """Display columns: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _drop_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Remove page numbers and running headers/footers (the same first or last line on most pages)."""
    pages = [[ln for ln in page if not _PAGE_NUMBER.fullmatch(ln)] for page in pages]
    if len(pages) >= 3:
        for pos in (0, -1):
            counts: dict[str, int] = {}
            for page in pages:
                if page:
                    key = re.sub(r"\d+", "#", page[pos])
                    counts[key] = counts.get(key, 0) + 1
            repeated = {k for k, n in counts.items() if n >= max(3, len(pages) // 2)}
            for page in pages:
                if page and re.sub(r"\d+", "#", page[pos]) in repeated:
                    page.pop(pos)
    return pages


def _unwrap(lines: list[str]) -> list[str]:
    """Join lines that a PDF wrapped at the right margin back into one line per paragraph.

    A line as wide as the page's text column that does not end a clause continues on the next line,
    unless that line starts a numbered heading. The column width is the one most full lines share.
    """
    widths = [_width(ln) for ln in lines]
    wide = sorted(w for w in widths if w >= WRAP_MIN_WIDTH)
    if len(wide) < WRAP_MIN_LINES:
        return lines
    column = wide[int(0.8 * (len(wide) - 1))]
    full = 0.85 * column
    if sum(w >= full for w in wide) < WRAP_MIN_LINES:
        return lines
    out: list[str] = []
    joinable = False
    for line, width in zip(lines, widths):
        if out and joinable and classify(line) is None:
            gap = " " if out[-1][-1:].isascii() and out[-1][-1:].isalnum() and line[:1].isascii() else ""
            out[-1] += gap + line
        else:
            out.append(line)
        joinable = width >= full and not line.endswith(tuple(_CLAUSE_END))
    return out


def read_pdf_bytes(path: Path, data: bytes) -> PlanText:
    """A PDF's text layer via pypdf, with page furniture dropped and wrapped lines rejoined."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PlanFileError(
                f"{path}: the PDF is password-protected; save an unprotected copy (or export the plan as .txt) and index that"
            )
        pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
    except PlanFileError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise PlanFileError(
            f"{path}: not a readable PDF ({exc}); re-export it from the original document, or save the plan as UTF-8 .txt"
        ) from None
    pages = [[ln.strip() for ln in page if ln.strip()] for page in pages]
    if not any(pages):
        raise PlanFileError(
            f"{path}: the PDF has no text layer (a scanned document?); run OCR on it first, e.g. "
            f"`ocrmypdf -l chi_sim {path} {path.stem}.ocr.pdf`, or export the plan as UTF-8 .txt"
        )
    lines = [ln for page in _drop_page_furniture(pages) for ln in page]
    return PlanText("\n".join(_unwrap(lines)) + "\n", "pdf")


# Suffix (lower case) -> reader.
READERS: dict[str, Reader] = {
    ".txt": read_text_bytes,
    ".md": read_text_bytes,
    ".docx": read_docx_bytes,
    ".pdf": read_pdf_bytes,
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
            "Save the plan in one of these formats (UTF-8 text for .txt/.md)"
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
