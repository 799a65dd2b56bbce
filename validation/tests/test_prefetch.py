"""`prefetched`: the items in order, made by a thread at most `depth` ahead;
their exception raised where their item would have come; the thread
stopped when the consumer stops early."""
import threading
import time

import pytest

from kg_validation.prefetch import prefetched


def made(log, count, fail_at=None):
    for number in range(count):
        if number == fail_at:
            raise ValueError(f"block {number} is unreadable")
        log.append(number)
        yield number


def prefetch_threads():
    return [t for t in threading.enumerate() if t.name == "kg-prefetch"]


def test_the_items_come_in_their_order_made_ahead_of_the_consumer():
    log = []
    taken = []
    for item in prefetched(made(log, 50), depth=2):
        time.sleep(0.001)
        taken.append((item, len(log)))
    assert [item for item, _ in taken] == list(range(50))
    # made at most depth + 1 ahead (one in the queue's hand, one being put)
    assert all(made_so_far - item <= 4 for item, made_so_far in taken)
    assert any(made_so_far - item >= 2 for item, made_so_far in taken)
    assert prefetch_threads() == []


def test_an_error_comes_where_its_item_would_have():
    taken = []
    with pytest.raises(ValueError, match="block 3 is unreadable"):
        for item in prefetched(made([], 10, fail_at=3)):
            taken.append(item)
    assert taken == [0, 1, 2]
    assert prefetch_threads() == []


def test_a_consumer_that_stops_early_stops_the_thread():
    log = []
    items = prefetched(made(log, 10_000), depth=2)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()
    assert prefetch_threads() == []
    assert len(log) <= 3 + 4
