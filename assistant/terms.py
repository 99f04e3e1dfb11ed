"""The words of a question: cleaned text, its language, key terms (jieba), place names, quoted names, English translations."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from .cues import STOPWORDS_EN, STOPWORDS_ZH
from .section_refs import chinese_numeral

_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{2,30})[”\"」』》]")


def clean_text(text: str) -> str:
    """Drop control, zero-width and lone-surrogate characters (they cannot be encoded) and collapse runs of whitespace (newlines kept as spaces)."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text.replace("\t", " ").replace("\r", "\n"))
    return re.sub(r"\s+", " ", text).strip()


def is_english(text: str) -> bool:
    """True when Latin words outweigh Chinese characters (a "What is in 专栏12?" question is English)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    return latin > 0 and latin * 2 > cjk


@lru_cache(maxsize=1)
def load_jieba():
    import jieba

    from index.dictionary import import_posseg, initialize_jieba

    jieba.setLogLevel(60)
    initialize_jieba()  # jieba.initialize(), from a cache that loads ~4x faster
    return jieba, import_posseg()  # jieba.posseg, its part-of-speech table from a cache too


def content_terms(text: str) -> list[str]:
    """Key terms of a text in order, without interrogatives and function words: jieba words (with their
    sub-words, so "诺贝尔奖科学家" also matches "科学家") for Chinese, lower-cased words for English."""
    jieba, _ = load_jieba()
    terms: list[str] = []
    for tok in jieba.lcut_for_search(text):
        tok = tok.strip()
        if not tok or tok in STOPWORDS_ZH:
            continue
        if _CJK.search(tok):
            if len(tok) >= 2 or tok in "钱":
                terms.append(tok)
        elif re.fullmatch(r"[A-Za-z][A-Za-z'\-]*", tok):
            low = tok.lower().strip("'-")
            if low not in STOPWORDS_EN and len(low) > 1:
                terms.append(low)
        elif re.fullmatch(r"[0-9][0-9.+\-]*[A-Za-z]?|[A-Za-z]+[0-9][A-Za-z0-9.]*", tok):
            terms.append(tok)  # numbers, 5G; and names with digits, kept as written: M2, PM2.5, G20, C919
    seen: set[str] = set()
    return [t for t in terms if not (t in seen or seen.add(t))]


def place_names(text: str, *, checked: bool = True) -> list[str]:
    """Place names in Chinese text: words jieba tags as places that CC-CEDICT also knows as proper names
    (jieba alone tags 上马 or 普及 as places); `checked=False` skips the dictionary (for the plan's own text)."""
    _, posseg = load_jieba()
    words = [w.word for w in posseg.cut(text) if w.flag == "ns" and len(w.word) >= 2]
    if not checked or not words:
        return words
    return [w for w in words if is_proper_name(w)]


def is_proper_name(word: str) -> bool:
    """Does CC-CEDICT know the word as a proper name (a capitalised gloss)?"""
    return word in _proper_headwords()


# jieba cuts and tags each run of these characters on its own (jieba.posseg's re_han_internal).
_TAGGED_RUN_CHAR = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]")


def tagging_runs(text: str, part: str) -> list[str]:
    """The runs of `text` that jieba tags on its own and that contain `part`: tagging only these gives the
    words around `part` that tagging the whole text would, without tagging the whole text."""
    runs, pos = [], text.find(part) if part else -1
    while pos >= 0:
        start, end = pos, pos + len(part)
        while start > 0 and _TAGGED_RUN_CHAR.match(text[start - 1]):
            start -= 1
        while end < len(text) and _TAGGED_RUN_CHAR.match(text[end]):
            end += 1
        runs.append(text[start:end])
        pos = text.find(part, max(end, pos + 1))
    return runs


@lru_cache(maxsize=1)
def _proper_headwords() -> frozenset[str]:
    exact, lead = _proper_names()
    return frozenset(zh for table in (exact, lead) for names in table.values() for zh in names)


MAX_LEAD_NAMES = 6  # names a gloss-leading word may start and still be read as (part of) a name
_PROPER = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3}\b")


def _dictionary() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], frozenset[str]]:
    """From CC-CEDICT: proper names English -> simplified Chinese, as (names a gloss is, "Beijing, capital of…" ->
    北京; names a gloss starts with, "Shenzhen subprovincial city…" -> 深圳), and the set of every gloss word and
    two-word phrase, stemmed (is an English word a known concept at all?). Built once per package version and
    kept on disk by index/dictionary.py (issue 13: stemming every gloss took ~10 s of each new process)."""
    from index.dictionary import tables

    t = tables()
    return t.exact, t.lead, t.phrases


def _proper_names() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    exact, lead, _ = _dictionary()
    return exact, lead


def known_concept(phrase: str) -> bool:
    """Is an English word or two-word phrase (stemmed) a CC-CEDICT gloss?"""
    from index.lexical import english_terms

    key = " ".join(english_terms(phrase))
    return bool(key) and key in _dictionary()[2]


def english_places(text: str) -> list[str]:
    """Chinese names of the places an English question names ("Beijing's targets" -> 北京), via CC-CEDICT
    and jieba's place tag on the translation."""
    exact, lead = _proper_names()
    jieba, posseg = load_jieba()

    def place(key: str) -> str | None:
        # "Chinese", "Israeli": a people or language is no place, unless a gloss is exactly that word.
        demonym = " " not in key and re.search(r"(?:ese|ish|ian|ean|an|i)$", key)
        # A word that starts many names' glosses is a common word, not part of a name: "Year" (Year of the Horse,
        # 午马, and 23 more), "North", "University"; "Guangdong" starts 5, "Shenzhen" 4 (dev re-043).
        common = len(lead.get(key, ())) > MAX_LEAD_NAMES
        for table in (exact,) if demonym or common else (exact, lead):
            names = [zh for zh in table.get(key, ()) if any(w.flag == "ns" and w.word == zh for w in posseg.cut(zh))]
            if names:
                # The name Chinese text uses most, by jieba's word frequencies: "United States" is glossed by 米国
                # (Japanese usage) before 美国, which documents write.
                return max(names, key=lambda zh: jieba.get_FREQ(zh) or 0)
        return None

    found: list[str] = []
    for m in _PROPER.finditer(text):
        words = m.group().replace("-", " ").split()
        i = 0
        while i < len(words):  # longest known name first: "Hong Kong" before "Hong"
            for j in range(len(words), i, -1):
                key = " ".join(words[i:j])
                if key in exact or key in lead:
                    zh = place(key)
                    if zh:
                        found.append(zh)
                    i = j
                    break
            else:
                i += 1
    return list(dict.fromkeys(found))


def quoted_terms(text: str) -> list[str]:
    """Chinese terms the asker put in quotation or title marks: names they expect to find verbatim (an English
    word in quotes is no such name in a Chinese plan, nor is a quoted question like “几加几”)."""
    out = []
    for m in _QUOTED.finditer(text):
        term = m.group(1).strip()
        if term and _CJK.search(term) and not re.search(r"几|多少|什么|哪|怎", term):
            out.append(term)
    return out


Translate = Callable[[str], list[tuple[str, tuple[str, ...]]]]  # English text -> (phrase, plan words) pairs


_EN_NUMBER = re.compile(r"(?<![\w.,])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![\w,])|(?<![\w.,])[0-9]+(?:\.[0-9]+)?(?![\w])")


def number_groups(text: str) -> list[tuple[str, ...]]:
    """The numbers of an English question as the ways a Chinese plan writes them: "10,000" -> 10000, 1万, 一万,
    每万 (as in "per 10,000" / 每万名), "2,200" -> 2200."""
    groups = []
    for m in _EN_NUMBER.finditer(text):
        digits = m.group().replace(",", "")
        forms = [digits]
        if "." not in digits and int(digits) >= 10_000 and int(digits) % 10_000 == 0:
            wan = int(digits) // 10_000
            forms += [f"{wan}万"] + ([f"{chinese_numeral(wan)}万"] if wan < 100 else []) + (["每万"] if wan == 1 else [])
        groups.append(tuple(forms))
    return groups


_ACRONYM = re.compile(r"[A-Za-z]{2,5}")  # GDP, CPI, VAT: no digits, which name things as written (5G, M2)


def term_groups(text: str, terms: Sequence[str], translate: Translate | None) -> list[tuple[str, ...]]:
    """Lexical groups for a text: its Chinese terms one by one, or its English phrases as their translations
    (plus numbers and Latin acronyms such as 5G, which plans write as they are)."""
    if not is_english(text):
        # A Latin acronym in a Chinese question ("单位GDP能耗") stands with the documents' words for it (国内生产总值):
        # reports spell it out.
        return [(t, *(w for _, words in translate(t) for w in words)) if translate and _ACRONYM.fullmatch(t) else (t,)
                for t in terms]
    # Words no question is about (part, section, kind, has, else…: STOPWORDS_EN) are left out before translating,
    # as the key terms leave them out: "What else does that part of the report say…" had 部分 / 分别 and 其他 as
    # groups. As written, not stemmed: "listed" (上市) is a topic though "list" is not.
    translated = translate(_TRANSLATED_STOPWORDS.sub(_unless_acronym, text)) if translate else []
    groups = [words for _, words in translated]
    groups += number_groups(text)
    # Numbers come whole from number_groups ("10,000" is one number, not "10" and "000"); 5G and 3D stay as they are.
    groups += [
        (t,) for t in terms
        if re.fullmatch(r"[0-9][0-9.+\-]*[A-Za-z]?|[a-z]?[0-9]+[a-z0-9]*", t) and not re.fullmatch(r"[0-9.]+", t)
    ]
    groups += [(m,) for m in re.findall(r"\b[A-Z][A-Z0-9&]{1,5}\b", text) if m not in ("I", "OK")]
    return [g for g in dict.fromkeys(tuple(g) for g in groups) if g]


def _unless_acronym(match: re.Match[str]) -> str:
    """A stopword is left out, but not as a capitalised acronym ("US" is the United States)."""
    word = match.group(0)
    return word if len(word) > 1 and word.isupper() else " "


# STOPWORDS_EN as words of a question, but for the place words: "in the city" still finds 城市 (the fixed set's q095
# and q097 lost their sections without it).
_TRANSLATED_STOPWORDS = re.compile(
    r"\b(?:" + "|".join(sorted(STOPWORDS_EN - {"city", "shenzhen"}, key=len, reverse=True)) + r")\b", re.I)


def translated_share(text: str, translate: Translate) -> float | None:
    """Share of an English question's content words that some phrase translates into the plan's words;
    numbers and acronyms the plan writes as they are count as translated."""
    from index.lexical import english_terms

    words = english_terms(text)
    if not words:
        return None
    found = translate(text)
    # A phrase is stemmed words, or an acronym as written ("R&D": its words are r and d).
    covered = {w for phrase, _ in found for w in phrase.split()} | {w for phrase, _ in found for w in english_terms(phrase)}
    return sum(1 for w in words if w in covered or any(ch.isdigit() for ch in w)) / len(words)
