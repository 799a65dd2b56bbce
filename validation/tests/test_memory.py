"""pyarrow's pool for a validating process (``memory.use_jemalloc``)."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa


def test_the_command_line_allocates_from_jemalloc(tmp_path):
    """kg-validate's process switches pyarrow to jemalloc before it reads a row
    (a child process: the switch is the whole process's)."""
    table = tmp_path / "table.csv"
    table.write_text("id,name\n1,Ош\n", encoding="utf-8")
    script = ("import sys, pyarrow as pa\n"
              "from kg_validation import cli\n"
              "before = pa.default_memory_pool().backend_name\n"
              "code = cli.main([sys.argv[1]])\n"
              "print(before, pa.default_memory_pool().backend_name, code)\n")
    done = subprocess.run([sys.executable, "-c", script, str(table)], capture_output=True,
                          text=True, check=True)
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        expected = "mimalloc"
    else:
        expected = "jemalloc"
    assert done.stdout.split()[-3:] == ["mimalloc", expected, "0"]
