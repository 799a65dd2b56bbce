"""Items made in a thread of their own, a few ahead of their consumer.

The normaliser's blocks (decoding, re-quoting, pyarrow's parse) and the
fast path's judging of the previous block are mostly work that pyarrow
and the codecs do without Python's global lock, so the two overlap on a
machine with more than one core.
"""
from __future__ import annotations

import queue
import threading
from typing import Iterator, TypeVar

T = TypeVar("T")
_END = object()


def prefetched(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``items`` in their order, taken from them by a thread that keeps at
    most ``depth`` ahead. An exception raised by ``items`` is raised here,
    where its item would have come. Closing (or dropping) the returned
    generator stops the thread after the item it is making."""
    maker = _Maker(items, depth)
    maker.thread.start()
    try:
        while True:
            item, error = maker.handed.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        maker.stop.set()
        maker.thread.join()


class _Maker:
    """The thread taking the items, and what it hands over."""

    def __init__(self, items: Iterator, depth: int) -> None:
        self.items = items
        self.handed: queue.Queue = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.make, name="kg-prefetch", daemon=True)

    def make(self) -> None:
        try:
            for item in self.items:
                if not self.put((item, None)):
                    return
        except BaseException as error:  # noqa: BLE001 - raised in the consumer
            self.put((_END, error))
            return
        self.put((_END, None))

    def put(self, entry: tuple) -> bool:
        """Hand `entry` over; False if the consumer stopped first."""
        while not self.stop.is_set():
            try:
                self.handed.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False
