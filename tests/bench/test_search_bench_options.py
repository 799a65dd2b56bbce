"""`bench/search_bench.py`'s command line: sizes and counts as asked, and
`--help` or a wrong option stop before any database is touched."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "search_bench.py"


@pytest.fixture(scope="module")
def search_bench():
    sys.path.insert(0, str(BENCH.parent))
    try:
        spec = importlib.util.spec_from_file_location("kg_search_bench_cli", BENCH)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH.parent))


def test_options_give_the_sizes_and_counts(search_bench):
    options = search_bench.arguments(
        ["--datasets", "1000,100000", "--requests", "7", "--reuse", "--no-uncached"])
    assert (options.datasets, options.requests, options.reuse, options.uncached,
            options.keep_words) == ([1000, 100000], 7, True, False, True)


@pytest.mark.parametrize("sizes", ["10,5", "0", "1000,abc", "1000,1000"])
def test_sizes_that_are_not_growing_numbers_are_refused(search_bench, sizes):
    with pytest.raises(SystemExit) as stopped:
        search_bench.arguments(["--datasets", sizes])
    assert stopped.value.code == 2


@pytest.mark.parametrize("argv", [["--help"], ["--no-such-option"]])
def test_help_and_unknown_options_stop_before_the_portal(argv):
    # the benchmark empties the `bench` databases when it starts: --help
    # once started a run
    done = subprocess.run([sys.executable, str(BENCH), *argv], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == (0 if argv == ["--help"] else 2)
    assert "[portal]" not in done.stdout + done.stderr
    assert "--datasets" in done.stdout + done.stderr
