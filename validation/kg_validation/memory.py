"""Which memory pool pyarrow allocates from, for a process that validates.

pyarrow's wheels allocate from mimalloc by default. Validation's threads
(the normaliser, the writer of the canonical file, the judge, the writer
of the rows for COPY) allocate a block's arrays in one thread and free
them in another; mimalloc then kept more of that memory: kg-validate's
peak on the 10 M-row cp1251 table was 530 MiB with mimalloc, 472 MiB with
jemalloc (the same time, 41 s), and 305 against 256 MiB at 1 M rows.
"""

from __future__ import annotations

import pyarrow as pa


def use_jemalloc() -> str:
    """Make jemalloc pyarrow's default pool, where this pyarrow has it; the
    name of the pool in use. Called where a process starts validating (the
    command line, the portal's job), not on import."""
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without it keeps its own
        pass
    return pa.default_memory_pool().backend_name
