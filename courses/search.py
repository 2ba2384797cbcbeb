"""Chinese text in the search index.

Wagtail's database search backends split text into words at spaces and punctuation
(SQLite FTS5's unicode61 tokenizer, PostgreSQL's text-search parser). Chinese has no
spaces, so "风险控制入门" is one "word" and a search for "控制" or "风控" finds nothing.

The fix is done at indexing time, the same way on both databases: pages and quiz
snippets add an autocomplete field whose text cuts every run of CJK characters into
"edge n-grams" — for each character, the next `NGRAM_LENGTH` characters. Autocomplete
searches match word prefixes, and every substring of a run is a prefix of one of these
pieces, so any Chinese substring up to `NGRAM_LENGTH` characters is found. Longer
queries are cut the same way (`cjk_query`) by the learner search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.html import strip_tags

NGRAM_LENGTH = 8

# CJK Unified Ideographs (+ extension A), compatibility ideographs, kana and hangul:
# the scripts written without spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[^\W_]+")
_SCRIPT_SPLIT = re.compile(f"([{_CJK}]+)")


def plain_text(html: str) -> str:
    return strip_tags(html or "")


def cjk_ngrams(texts: Iterable[str], length: int = NGRAM_LENGTH) -> str:
    """Edge n-grams of every CJK run in `texts`, and the other words cut off from them.

    "P2P网贷" gives "P2P 网贷 贷": the Latin word becomes a token of its own, so that it
    can be one of several words in a query.
    """
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(text or ""):
            for part in _SCRIPT_SPLIT.split(word):
                if not part:
                    continue
                if _CJK_RUN.fullmatch(part):
                    for start in range(len(part)):
                        seen.setdefault(part[start : start + length])
                else:
                    seen.setdefault(part)
    return " ".join(seen)


def cjk_query(query: str, length: int = NGRAM_LENGTH) -> str:
    """Rewrite a query so that each piece is at most `length` CJK characters.

    "催收合规与资产保全" (9 characters) becomes "催收合规与资产保 收合规与资产保全":
    overlapping windows, each a prefix of an indexed n-gram when the phrase is in the text.
    """
    pieces: list[str] = []
    for word in _WORD.findall(query):
        for part in _SCRIPT_SPLIT.split(word):
            if not part:
                continue
            if _CJK_RUN.fullmatch(part):
                last = max(len(part) - length, 0)
                starts = sorted({*range(0, last, length - 1), last})
                pieces.extend(part[i : i + length] for i in starts)
            else:
                pieces.append(part)
    return " ".join(dict.fromkeys(pieces))


def pages_containing(queryset: QuerySet[Any], query: str, limit: int = 500) -> QuerySet[Any]:
    """The pages of `queryset` whose indexed text contains every word of `query`.

    The database backends treat only the last word of an autocomplete query as a prefix,
    so each word is looked up on its own and the matches are intersected.
    """
    ids: set[int] | None = None
    for term in cjk_query(query).split():
        found = {page.pk for page in queryset.autocomplete(term, order_by_relevance=False)[:limit]}
        ids = found if ids is None else ids & found
        if not ids:
            break
    return queryset.filter(pk__in=ids or [])
