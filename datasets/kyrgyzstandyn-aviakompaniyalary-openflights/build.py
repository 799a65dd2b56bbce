"""Builds `airlines.csv`: the airlines whose country is "Kyrgyzstan" in the
OpenFlights airline database (`data/airlines.dat` of
github.com/jpatokal/openflights at commit 5a0360255a5a; ODbL-1.0, contents
under the Database Contents License).

Rows are selected by the Country column; the columns are those of the
source file in its order, given names from the data page (openflights.org/data,
`data.php`). Values are copied as text, unchanged, except the source's NULL
marker `\\N` ("no value is available"), which is written as an empty cell.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_bytes, write_csv  # noqa: E402

REPOSITORY = "https://github.com/jpatokal/openflights"
COMMIT = "5a0360255a5a2ff2b9f1e9cb199716da68a8a33f"
AIRLINES = ("data/airlines.dat", "56ae32b2cb1a29db06745d2f650625a706057c47")

# The columns of airlines.dat, in order (openflights.org/data: Airline database).
HEADER = ["airline_id", "name", "alias", "iata", "icao", "callsign", "country", "active"]
COUNTRY = "Kyrgyzstan"
NULL = "\\N"


def dat_rows(path: str, blob: str) -> list[list[str]]:
    """The rows of an OpenFlights .dat file (CSV without a header row)."""
    text = source_bytes(REPOSITORY, COMMIT, path, blob).decode("utf-8")
    return [["" if value == NULL else value for value in row]
            for row in csv.reader(io.StringIO(text))]


def build(out: Path) -> None:
    """Write airlines.csv into `out`."""
    rows = [row for row in dat_rows(*AIRLINES) if row[HEADER.index("country")] == COUNTRY]
    write_csv(out / "airlines.csv", HEADER, rows)


if __name__ == "__main__":
    main(build, __file__)
