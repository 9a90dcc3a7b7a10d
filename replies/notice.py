"""Privacy-notice retrieval: find the numbered sections of the notice that answer a question.

A general query ("what cookies do you use?") is best answered by quoting the organisation's own
notice, so staff see the relevant words without searching. The notice is small (about ten
sections), so a TF-IDF model over its sections is fitted on load, in milliseconds, and kept in
memory; nothing is trained or stored ahead of time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import snowballstemmer

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["EXAMPLE_NOTICE_PATH", "Notice", "Section", "load_notice", "parse_notice"]

# The example notice shipped with the package, for demos and as a default in tests.
EXAMPLE_NOTICE_PATH = Path(__file__).resolve().parent / "data" / "example-notice.txt"

# "3. Cookies": a number, a full stop, then the title, alone on its line.
_HEADING = re.compile(r"^\s*(\d{1,2})\.\s+(\S.*?)\s*$")

# Below this cosine similarity a section shares at most one common word with the query.
DEFAULT_MIN_SCORE = 0.05
# A runner-up is quoted only if it scores at least this share of the best section's score, so
# "send me my data, and what cookies do you use?" quotes the cookies section alone.
DEFAULT_MIN_RATIO = 0.5


@dataclass(frozen=True)
class Section:
    """One numbered section of the notice, e.g. ``Section(3, "Cookies", "A cookie is ...")``."""

    number: int
    title: str
    text: str

    @property
    def heading(self) -> str:
        """The heading as printed in the notice, e.g. ``"3. Cookies"``."""
        return f"{self.number}. {self.title}"


@dataclass(frozen=True)
class Notice:
    """A privacy notice split into its preamble and numbered sections, ready to search."""

    preamble: str
    sections: tuple[Section, ...]
    _vectorizer: TfidfVectorizer = field(init=False, repr=False, compare=False)
    _matrix: object = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.sections:
            raise ValueError("a notice needs at least one numbered section")
        # scikit-learn is imported here, when a notice is loaded, not when the service starts:
        # every command imports this module, few of them read a notice.
        from sklearn.feature_extraction.text import TfidfVectorizer

        # Stemmed words ("cookies" meets "cookie", "secure" meets "security"); the title is
        # repeated so that it weighs about as much as a paragraph of body text.
        vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True)
        documents = [_searchable_text(section) for section in self.sections]
        matrix = vectorizer.fit_transform(documents)
        object.__setattr__(self, "_vectorizer", vectorizer)
        object.__setattr__(self, "_matrix", matrix)

    def section(self, number: int) -> Section:
        """Return the section with this number.

        Raises:
            KeyError: when the notice has no such section.
        """
        for section in self.sections:
            if section.number == number:
                return section
        raise KeyError(number)

    def scores(self, query: str) -> list[tuple[Section, float]]:
        """Score every section against ``query`` (cosine similarity, 0 to 1), best first.

        Ties keep the notice's order, so the result is fully deterministic.
        """
        from sklearn.metrics.pairwise import linear_kernel

        return self._ranked(linear_kernel(self._vectorizer.transform([query]),
                                          self._matrix).ravel())

    def _ranked(self, similarities: Any) -> list[tuple[Section, float]]:
        ranked = sorted(
            zip(self.sections, similarities, strict=True),
            key=lambda pair: (-float(pair[1]), pair[0].number),
        )
        return [(section, float(score)) for section, score in ranked]

    def relevant_sections(
        self,
        query: str,
        k: int = 2,
        min_score: float = DEFAULT_MIN_SCORE,
        min_ratio: float = DEFAULT_MIN_RATIO,
    ) -> list[Section]:
        """Return up to ``k`` sections that best answer ``query``, best first.

        Args:
            query: the person's question, in their own words.
            k: the most sections to return.
            min_score: sections scoring below this are left out, so an unrelated question
                returns an empty list rather than a random section.
            min_ratio: sections after the first must score at least this fraction of the
                first one's score.

        Returns:
            The matching sections; empty when nothing scores at least ``min_score``.
        """
        return self.relevant_sections_many([query], k, min_score, min_ratio)[0]

    def relevant_sections_many(
        self,
        queries: Sequence[str],
        k: int = 2,
        min_score: float = DEFAULT_MIN_SCORE,
        min_ratio: float = DEFAULT_MIN_RATIO,
    ) -> list[list[Section]]:
        """:meth:`relevant_sections` for each of ``queries``, scored in one matrix product.

        Why: a triage batch drafts hundreds of replies; one vectoriser call and one product for
        all of them costs about what one query did alone.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        asked = [i for i, query in enumerate(queries) if query.strip()]
        results: list[list[Section]] = [[] for _ in queries]
        if not asked:
            return results
        from sklearn.metrics.pairwise import linear_kernel

        similarities = linear_kernel(
            self._vectorizer.transform([queries[i] for i in asked]), self._matrix)
        for row, i in zip(similarities, asked, strict=True):
            ranked = self._ranked(row)[:k]
            floor = max(min_score, ranked[0][1] * min_ratio)
            results[i] = [section for section, score in ranked if score >= floor]
        return results


def parse_notice(text: str) -> Notice:
    """Split notice text into a preamble and numbered sections.

    A heading is a line such as ``"3. Cookies"`` whose number follows the previous heading's, so
    a numbered list inside a section is not mistaken for a new section.

    Raises:
        ValueError: when the text has no numbered sections.
    """
    preamble: list[str] = []
    found: list[tuple[int, str, list[str]]] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        expected = found[-1][0] + 1 if found else 1
        if match and int(match.group(1)) == expected:
            found.append((expected, match.group(2), []))
        elif found:
            found[-1][2].append(line)
        else:
            preamble.append(line)
    sections = tuple(
        Section(number=number, title=title, text="\n".join(lines).strip())
        for number, title, lines in found
    )
    if not sections:
        raise ValueError("no numbered sections found (expected headings like '1. Title')")
    return Notice(preamble="\n".join(preamble).strip(), sections=sections)


def load_notice(path: Path | str) -> Notice:
    """Read a UTF-8 notice file and split it into sections.

    Args:
        path: a plain-text notice whose sections start with lines like ``"1. Title"``.

    Raises:
        OSError: when the file cannot be read.
        ValueError: when it has no numbered sections.
    """
    return parse_notice(Path(path).read_text(encoding="utf-8"))


# Question words and fillers that every section shares; leaving them out stops "who do you
# share my data with" matching on "who", "you" and "with". The second group is what every
# email says ("Hi, quick question ... Thanks"), whatever it asks.
_STOPWORD_TEXT = """
    a about all am an and any are as at be by can could did do does for from have how i if in is
    it me my of on or our please so tell that the this to us was we what when where which who
    whom why will with would you your
    also ask asking best dear enquiry hello hi just kind know like question questions query quick
    regards thank thanks want wondering
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+")
_STEMMER = snowballstemmer.stemmer("english")


def _terms(text: str) -> list[str]:
    """Lower-case, drop stop words and stem: the analyzer shared by sections and queries."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    """The snowball stem of one lower-case word, remembered.

    Why: stemming word by word was a tenth of a triage pass, and mail repeats a small
    vocabulary; the stemmer is deterministic, so a remembered stem is the same stem.
    """
    stem: str = _STEMMER.stemWord(word)
    return stem


def _searchable_text(section: Section) -> str:
    return f"{section.title}\n{section.title}\n{section.text}"
