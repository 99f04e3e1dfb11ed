"""Checks a generated answer sentence by sentence against the sections it cites; code decides, never the prompt."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .cues import STOPWORDS_VERIFY_EN

# A citation is anything in [..] or 【..】 on one line; unknown contents are removed, so false hits cost nothing.
CITATION_RE = re.compile(r"[\[【]([^\[\]【】\n]{1,80})[\]】]")
_ID_SPLIT_RE = re.compile(r"[,，、;；\s]+")
# Sentence ends: Chinese and ASCII terminators, a period followed by a space (English), line breaks.
_END_RE = re.compile(r"[。！？!?；;]+|(?<!\d)\.(?=\s|$)|\n+")
# Citations written after the terminator ("…设施。[五(一)1]") belong to the sentence before it.
_TRAILING_CITES_RE = re.compile(r"([。！？!?；;]|(?<!\d)\.)((?:[ \t]*[\[【][^\[\]【】\n]{1,80}[\]】])+)")
_LIST_MARK_RE = re.compile(r"^\s*(?:[-*•·]|\d{1,3}[.、)）]|[(（]\d{1,3}[)）])\s*")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_RE = re.compile(r"[a-z][a-z'-]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_CN_NUM_RE = re.compile(f"[{''.join(_CN_DIGITS)}{''.join(_CN_UNITS)}]+")

KEPT, MARKED, DROPPED = "kept", "marked", "dropped"


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and brackets to ASCII) and lower case, so `五（一）３` matches `五(一)3`."""
    return unicodedata.normalize("NFKC", text).lower()


def normalize_id(raw: str) -> str:
    return re.sub(r"\s+", "", normalize(raw))


def numbers_in(text: str) -> set[str]:
    """Arabic numbers as written, thousands separators dropped (`1,000` -> `1000`)."""
    out = set()
    for m in _NUMBER_RE.finditer(normalize(text)):
        num = re.sub(r",(?=\d{3}(?!\d))", "", m.group())
        out.add(num.rstrip(".,"))
    return out


def _chinese_numeral(run: str) -> int | None:
    """Value of a Chinese numeral such as 十, 二十五, 三千, 二〇二〇; None when the run is not one number."""
    if all(ch in _CN_DIGITS for ch in run):
        return int("".join(str(_CN_DIGITS[ch]) for ch in run)) if len(run) > 1 else _CN_DIGITS[run]
    total, section, digit = 0, 0, None
    for ch in run:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None  # two digits in a row inside a unit number: not a single numeral
            digit = _CN_DIGITS[ch]
        elif ch in ("万", "亿"):
            section = (section + (digit or 0)) * _CN_UNITS[ch]
            total, section, digit = total + section, 0, None
        else:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + section + (digit or 0)


def support_numbers(text: str) -> set[str]:
    """Numbers a source text states: its Arabic numbers plus its Chinese numerals (`十大` states 10)."""
    out = numbers_in(text)
    for m in _CN_NUM_RE.finditer(text):
        value = _chinese_numeral(m.group())
        if value is not None:
            out.add(str(value))
    return out


def _tokens(text: str) -> tuple[set[str], set[str]]:
    """(CJK character bigrams, Latin content words) of a text: what character overlap is measured on."""
    text = normalize(text)
    cjk: set[str] = set()
    for run in _CJK_RE.findall(text):
        cjk.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    latin = {w for w in _LATIN_RE.findall(text) if len(w) > 2 and w not in STOPWORDS_VERIFY_EN}
    return cjk, latin


def coverage(claim: str, source: str, *, min_tokens: int = 2) -> float | None:
    """Share of the claim's tokens found in the source, in the source's own script; None when too few to judge.

    A Chinese source is compared on character bigrams, so an English sentence is judged only by the Chinese words it
    quotes; an English source on content words.
    """
    c_cjk, c_lat = _tokens(claim)
    s_cjk, s_lat = _tokens(source)
    mostly_cjk = len(s_cjk) >= len(s_lat)
    claim_tokens, source_tokens = (c_cjk, s_cjk) if mostly_cjk else (c_lat, s_lat)
    if len(claim_tokens) < min_tokens:
        return None
    return len(claim_tokens & source_tokens) / len(claim_tokens)


@dataclass
class SentenceCheck:
    """What verification decided for one sentence of the answer."""

    text: str  # the sentence as shown (citations re-rendered), or as written when dropped
    claim: str  # the sentence without citations and list marker
    cited: list[str]  # known IDs it cites after verification
    removed_ids: list[str]  # IDs it cited that are not among the given sections
    verdict: str  # kept | marked | dropped
    reason: str
    coverage: float | None = None
    missing_numbers: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            # A dropped sentence is not repeated: it may be the instructions or text an injected request asked for.
            "sentence": None if self.verdict == DROPPED else self.claim,
            "verdict": self.verdict,
            "reason": self.reason,
            "cited": self.cited,
            "coverage": None if self.coverage is None else round(self.coverage, 3),
            "missing_numbers": self.missing_numbers,
        }


@dataclass
class Verification:
    """A verified answer: the text to show, the IDs it cites and one check per sentence."""

    text: str
    sentences: list[SentenceCheck]

    @property
    def cited_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.sentences:
            if s.verdict != DROPPED:
                seen.update(dict.fromkeys(s.cited))
        return list(seen)

    @property
    def removed_ids(self) -> list[str]:
        return list(dict.fromkeys(i for s in self.sentences for i in s.removed_ids))

    def claims_citing(self, section_id: str) -> list[str]:
        """The shown sentences (without citations) that cite `section_id`."""
        return [s.claim for s in self.sentences if s.verdict != DROPPED and section_id in s.cited]

    def count(self, verdict: str) -> int:
        return sum(s.verdict == verdict for s in self.sentences)

    def summary(self) -> dict[str, Any]:
        """The `Answer.verification` record: what verification did, sentence by sentence."""
        return {
            "sentences": len(self.sentences),
            "kept": self.count(KEPT),
            "marked": self.count(MARKED),
            "dropped": self.count(DROPPED),
            "ids_removed": self.removed_ids,
            "citations_added": sum(s.reason.startswith("citation added") for s in self.sentences),
            "details": [s.to_json() for s in self.sentences],
        }


def split_sentences(text: str) -> list[str]:
    """Sentences with their own citations and terminator; trailing whitespace stays with each piece."""
    text = _TRAILING_CITES_RE.sub(lambda m: m.group(2).strip() + m.group(1), text)
    pieces, start = [], 0
    for m in _END_RE.finditer(text):
        end = m.end()
        while end < len(text) and text[end].isspace():
            end += 1
        pieces.append(text[start:end])
        start = end
    if start < len(text):
        pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def _split_citations(sentence: str, known: Mapping[str, str]) -> tuple[str, list[str], list[str]]:
    """(sentence without citations, known IDs cited, unknown IDs cited); `known` maps normalized ID -> ID."""
    cited, unknown = [], []
    for m in CITATION_RE.finditer(sentence):
        for raw in _ID_SPLIT_RE.split(m.group(1)):
            if not raw:
                continue
            key = normalize_id(raw)
            if key in known:
                cited.append(known[key])
            else:
                unknown.append(raw)
    return CITATION_RE.sub("", sentence), list(dict.fromkeys(cited)), unknown


def _render(claim_raw: str, cited: Sequence[str], marker: str = "") -> str:
    """The sentence with its citations placed before its terminator, as the prompt asks: `…设施[五(一)1]。`."""
    body = claim_raw.rstrip()
    trailing = claim_raw[len(body) :]
    m = re.search(r"([。！？!?；;]+|(?<!\d)\.)$", body)
    end = m.group() if m else ""
    body = body[: len(body) - len(end)].rstrip()
    return body + marker + "".join(f"[{i}]" for i in cited) + end + trailing


class Verifier:
    """Checks answers against a fixed set of sections (ID -> text the ID stands for).

    A sentence is kept when the sections it cites contain its words (character overlap >= `min_coverage`) and every
    number it states; an uncited sentence is kept only if one of the sections supports it, and then gets that citation.
    A sentence that states a number no cited section has is dropped; a cited sentence whose words the sections do not
    contain is marked (or dropped with `unsupported="drop"`); one that repeats the instructions (`forbidden` texts)
    more than the plan is dropped. Unknown IDs are removed. Text inside the sections is only data here.
    """

    def __init__(
        self,
        sections: Mapping[str, str],
        *,
        forbidden: Sequence[str] = (),
        min_coverage: float = 0.6,
        unsupported: str = "mark",
    ) -> None:
        if unsupported not in ("mark", "drop"):
            raise ValueError("unsupported must be 'mark' or 'drop'")
        self.sections = dict(sections)
        self.known = {normalize_id(i): i for i in self.sections}
        self.numbers = {i: support_numbers(t) for i, t in self.sections.items()}
        self.forbidden = "\n".join(forbidden)
        self.min_coverage = min_coverage
        self.unsupported = unsupported

    def _claim_numbers(self, claim: str) -> set[str]:
        """Numbers the claim states, not counting those inside a section ID it names (`专栏11` states no 11)."""
        text = normalize(claim)
        for key in sorted(self.known, key=len, reverse=True):
            text = text.replace(key, " ")
        return numbers_in(text)

    def _support(self, claim: str, ids: Sequence[str]) -> tuple[float | None, list[str]]:
        """(coverage of the claim by these sections, numbers of the claim none of them states)."""
        source = "\n".join(self.sections[i] for i in ids)
        stated = set().union(*(self.numbers[i] for i in ids)) if ids else set()
        missing = sorted(n for n in self._claim_numbers(claim) if n not in stated)
        return coverage(claim, source), missing

    def _best_section(self, claim: str) -> tuple[str, float] | None:
        """The one given section that supports the claim best, if any supports it fully."""
        best = None
        for sid in self.sections:
            cov, missing = self._support(claim, [sid])
            if cov is not None and cov >= self.min_coverage and not missing and (best is None or cov > best[1]):
                best = (sid, cov)
        return best

    def check(self, sentence: str) -> SentenceCheck:
        without, cited, unknown = _split_citations(sentence, self.known)
        claim = re.sub(r"\s+(?=[。！？!?；;.]$)", "", _LIST_MARK_RE.sub("", without).strip())
        marker = _LIST_MARK_RE.match(without)
        lead = marker.group() if marker else ""
        if not claim.strip(" 。！？!?；;.,，:："):
            return SentenceCheck(sentence, claim, [], unknown, DROPPED, "no text besides citations")

        cov, missing = self._support(claim, cited) if cited else (None, [])
        supported = bool(cited) and cov is not None and cov >= self.min_coverage and not missing
        best = None if supported else self._best_section(claim)
        # Text that is closer to our instructions than to the plan is an echo of the prompt: never shown.
        echo = coverage(claim, self.forbidden) if self.forbidden else None
        if echo is not None and echo >= self.min_coverage / 2 and echo > max(cov or 0.0, best[1] if best else 0.0):
            return SentenceCheck(sentence, claim, [], unknown, DROPPED, "repeats the instructions, not the plan", cov)

        if supported:
            return SentenceCheck(lead + _render(claim_text(without), cited), claim, cited, unknown, KEPT, "supported", cov)
        if best is not None:
            sid, best_cov = best
            reason = "citation corrected" if cited else "citation added"
            return SentenceCheck(lead + _render(claim_text(without), [sid]), claim, [sid], unknown, KEPT, reason, best_cov)
        if not cited:
            return SentenceCheck(sentence, claim, [], unknown, DROPPED, "cites no given section and none supports it")
        if missing:
            return SentenceCheck(
                sentence, claim, cited, unknown, DROPPED, "states numbers the cited sections do not have", cov, missing
            )
        if cov is not None and (cov < self.min_coverage / 2 or self.unsupported == "drop"):
            return SentenceCheck(sentence, claim, cited, unknown, DROPPED, "cited sections do not contain its words", cov)
        # Partly supported, or too short / in another script to measure: shown, but flagged for the reader.
        mark = "（未核实）" if _CJK_RE.search(claim) else " (unverified)"
        reason = "cited sections contain only part of its words" if cov is not None else "too short or other language to check"
        return SentenceCheck(lead + _render(claim_text(without), cited, mark), claim, cited, unknown, MARKED, reason, cov)

    def verify(self, answer: str) -> Verification:
        checks = [self.check(s) for s in split_sentences(answer)]
        shown = "".join(c.text for c in checks if c.verdict != DROPPED)
        return Verification(text=_tidy(shown), sentences=checks)


def claim_text(without_citations: str) -> str:
    """The sentence without its citations or list marker, keeping its terminator and trailing whitespace."""
    return _LIST_MARK_RE.sub("", without_citations)


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def verify_answer(
    answer: str,
    sections: Mapping[str, str],
    *,
    forbidden: Sequence[str] = (),
    min_coverage: float = 0.6,
    unsupported: str = "mark",
) -> Verification:
    """Verify `answer` against `sections` (cited ID -> the text that ID stands for). See `Verifier`."""
    return Verifier(sections, forbidden=forbidden, min_coverage=min_coverage, unsupported=unsupported).verify(answer)
