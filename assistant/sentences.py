"""Splits Chinese and English text into sentences and clauses with exact character spans, for verbatim quoting."""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "split_sentences", "split_clauses"]

# A regex rather than a library: quoting needs exact offsets into the original text, and Chinese plans mix
# full-width (。；) and half-width (;,) punctuation that sentence splitters built for English do not know.
_CLOSERS = "”’\"'」』）)】》"
# Chinese terminators and ";" end a sentence anywhere; a "." only after a letter (not "1." or "1.5").
_SENTENCE_END = re.compile(rf"(?:[。！？!?；;…]+|(?<=[A-Za-z\)])\.(?=\s|$))[{re.escape(_CLOSERS)}]*|\n")
# Clause breaks inside a sentence; a "," between digits is a thousands separator.
_CLAUSE_END = re.compile(r"[，：:]|,(?!\d)|(?<!\d),")
_NOT_CONTENT = re.compile(rf"[\s{re.escape(_CLOSERS)}。！？!?；;…，,：:、.·\-—–]*")


@dataclass(frozen=True)
class Span:
    """A piece of `source` text: `source[start:end] == text`."""

    start: int
    end: int
    text: str


def _trimmed(text: str, start: int, end: int) -> Span | None:
    """The span without surrounding whitespace, or None when nothing but punctuation is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or _NOT_CONTENT.fullmatch(text, start, end):
        return None
    return Span(start, end, text[start:end])


_CLOSE = re.compile(r"[^\n。！？!?；;]{0,12}\n?[^\n。！？!?；;]{0,12}[）)]")  # the bracket closes within a short line or two


def _bracket_open(text: str, start: int, end: int) -> bool:
    piece = text[start:end]
    return piece.count("（") + piece.count("(") > piece.count("）") + piece.count(")")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of `text[start:end]`, each keeping its end punctuation; spans index `text` itself."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.group() == "\n" and _bracket_open(text, pos, m.start()) and _CLOSE.match(text, m.end(), end):
            continue  # "细颗粒物（PM\n2.5\n）平均浓度…": a line break inside brackets, a transcript's, ends nothing
        span = _trimmed(text, pos, m.end())
        if span is not None:
            spans.append(span)
        pos = m.end()
    tail = _trimmed(text, pos, end)
    if tail is not None:
        spans.append(tail)
    return spans


def split_clauses(text: str, sentence: Span) -> list[Span]:
    """The comma-separated clauses of one sentence (each keeps its comma); spans index `text`."""
    spans: list[Span] = []
    pos = sentence.start
    for m in _CLAUSE_END.finditer(text, sentence.start, sentence.end):
        span = _trimmed(text, pos, m.end())
        if span is not None:
            spans.append(span)
        pos = m.end()
    tail = _trimmed(text, pos, sentence.end)
    if tail is not None:
        spans.append(tail)
    elif spans:  # trailing punctuation only: it belongs to the last clause
        last = spans[-1]
        spans[-1] = Span(last.start, sentence.end, text[last.start : sentence.end])
    return spans or [sentence]
