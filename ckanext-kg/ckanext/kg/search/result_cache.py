"""Search answers kept in each process, exact to the last commit.

Most searches are asked again and again: the `/dataset` page with no query
by every visitor, a first page of a popular word, an agency's list. Their
answer changes only when the index does. Each process keeps the rows of
the answers it computed, under the version they were read at, the kept
words' generation, the statement's text and every value it was given,
the reader's permission labels among them: an answer is served again only
to a search that would compute exactly the same rows, and only while no
write that could change them has committed since.

Which writes could change them: a search that requires its rows to have
one of some permission labels (every search CKAN makes for a reader who is
not a sysadmin) is read under those labels' version
(`facet_counts.LABEL_VERSIONS`), which changes at the commit of every
write to a row having one of them, before or after the write. A private
dataset's or a draft's write, which the publishing workflow makes often,
leaves the answers of every reader who could not see it before nor after
it standing. Any other search is read under the index's version
(`facet_counts.VERSION`), which changes at the commit of every write.

The version is read in its own statement before the search. Reading it
first is what makes a kept answer never older than its version: a search
started after a commit reads the new version, and its statement (a later
snapshot) sees at least that commit. A transaction whose own index writes
are not committed yet neither reads nor keeps answers: they hold for it
alone. An answer whose version is no longer the one read is computed
again and replaces it.

The answers are bounded by `ckanext.kg.search.result_cache_mb` (an
estimate of their size, their keys included; 0 turns keeping them off),
the least recently asked given up first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional

import sqlalchemy as sa

from . import facet_counts

_OPTION = "ckanext.kg.search.result_cache_mb"
_DEFAULT_MB = 32
# an answer larger than this share of the budget is not kept: a few such
# answers would push out every page readers ask for
_LARGEST_SHARE = 8
_ROW_OVERHEAD = 64


class _Answers:
    """Rows and the version they were read at, by key, least recently
    asked first, within a size in bytes."""

    def __init__(self) -> None:
        self.rows: OrderedDict[Hashable, tuple[Any, list[Any], int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, version: Any, key: Hashable) -> Any:
        with self.lock:
            kept = self.rows.get(key)
            if kept is None or kept[0] != version:
                return None
            self.rows.move_to_end(key)
            return kept[1]

    def put(self, version: Any, key: Hashable, rows: list[Any], size: int,
            budget: int) -> None:
        if size * _LARGEST_SHARE > budget:
            return
        with self.lock:
            previous = self.rows.pop(key, None)
            if previous is not None:
                self.size -= previous[2]
            self.rows[key] = (version, rows, size)
            self.size += size
            while self.size > budget:
                _, (_, _, dropped) = self.rows.popitem(last=False)
                self.size -= dropped

    def empty(self) -> None:
        self.rows.clear()
        self.size = 0


_answers = _Answers()


def budget() -> int:
    """The bytes answers may take in this process (0: none are kept)."""
    import ckan.plugins.toolkit as tk
    return max(tk.asint(tk.config.get(_OPTION, _DEFAULT_MB)), 0) * 1024 * 1024


def rows(session: Any, generation: Any, sql: str, params: dict[str, Any],
         run: Callable[[], list[Any]], labels: Optional[list[str]] = None
         ) -> list[Any]:
    """The rows of the search `sql` with `params`: kept ones when the
    same search was answered under the committed version, else `run()`'s,
    kept for the next time. `labels`: the permission labels the search
    requires its rows to have one of, if it does."""
    space = budget()
    if not space:
        return run()
    if labels is None:
        made, number, writing = session.execute(sa.text(facet_counts.VERSION_READ)).one()
    else:
        made, number, writing = session.execute(
            sa.text(facet_counts.LABELLED_VERSION_READ), {"labels": labels}).one()
    version = (made, labels is not None, number)
    if writing:
        return run()
    key = (generation, sql, _frozen(params))
    kept = _answers.get(version, key)
    if kept is not None:
        return kept
    answer = run()
    # the key counts too: a flood of different searches with empty answers
    # (`rows=0`, a made-up word) would otherwise keep a statement each
    _answers.put(version, key, answer, _size(answer) + _size_of(key), space)
    return answer


def forget() -> None:
    """Give up every kept answer (tests, and a process that must not
    serve what it read before)."""
    with _answers.lock:
        _answers.empty()


def kept_count() -> int:
    return len(_answers.rows)


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_frozen(v) for v in value)
    return value


def _size_of(value: Any) -> int:
    """An estimate of a key's bytes: its texts and a share for each value."""
    if isinstance(value, str):
        return len(value) + _ROW_OVERHEAD
    if isinstance(value, tuple):
        return sum(_size_of(v) for v in value) + _ROW_OVERHEAD
    return _ROW_OVERHEAD


def _size(answer: list[Any]) -> int:
    """An estimate of the answer's bytes: its text values and a share for
    everything else (Python's own sizes would mean walking every value)."""
    total = 0
    for row in answer:
        total += _ROW_OVERHEAD
        for value in row:
            if isinstance(value, str):
                total += len(value)
            elif isinstance(value, dict):
                total += sum(len(v) if isinstance(v, str) else _ROW_OVERHEAD
                             for v in value.values()) + _ROW_OVERHEAD * len(value)
            elif isinstance(value, (list, tuple)):  # a document's fields as text
                total += sum(len(v) if isinstance(v, str) else _ROW_OVERHEAD
                             for v in value) + _ROW_OVERHEAD * len(value)
    return total
