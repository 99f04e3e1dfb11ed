"""English words of a question or a gloss: the word pattern, the stopwords and a snowball stemmer per thread."""
from __future__ import annotations

import re
import threading

__all__ = ["EN_STOPWORDS", "EN_WORD", "stemmer"]

EN_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
# Function words and the words every question about a plan uses: never what it is about.
EN_STOPWORDS = frozenset(
    """a an the of to in on for and or with by as at from into about is are be been was were will would can could
    should shall may might must do does did done what which who whom whose how why when where there here this that
    these those it its their they them he she his her we our you your i me my any some all each every other such
    than then so not no yes if but also up out over under more most much many very one plan plans say says said
    mention mentions mentioned want wants going intend intends aim aims anything something tell""".split()
)

_local = threading.local()


def stemmer():
    """One stemmer per thread: snowball stemmers keep state and break when two server threads share one."""
    found = getattr(_local, "stemmer", None)
    if found is None:
        import snowballstemmer

        found = _local.stemmer = snowballstemmer.stemmer("english")
    return found
