"""Builds `airports.csv` and `routes.csv` from the OpenFlights databases
(github.com/jpatokal/openflights at commit 5a0360255a5a; ODbL-1.0, contents
under the Database Contents License):

- `airports.csv`: the airports of `data/airports.dat` whose country is
  "Kyrgyzstan";
- `routes.csv`: the routes of `data/routes.dat` (the OpenFlights/Airline Route
  Mapper route database as of June 2014) whose source or destination airport
  is one of those airports (by OpenFlights airport ID).

Rows are only selected; the columns are those of the source files in their
order, named after the data page (openflights.org/data, `data.php`). Values
are copied as text, unchanged, except the source's NULL marker `\\N` ("no
value is available"), which is written as an empty cell.
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
AIRPORTS = ("data/airports.dat", "02f6fa493aa6f036b4078db77cb12d5d9b116396")
ROUTES = ("data/routes.dat", "26032bb63c61252961c31bcbd9dd64578f131d2f")

# The columns of airports.dat and routes.dat, in order (openflights.org/data).
AIRPORT_HEADER = ["airport_id", "name", "city", "country", "iata", "icao", "latitude",
                  "longitude", "altitude_ft", "utc_offset_hours", "dst", "tz_timezone",
                  "type", "source"]
ROUTE_HEADER = ["airline", "airline_id", "source_airport", "source_airport_id",
                "destination_airport", "destination_airport_id", "codeshare", "stops",
                "equipment"]
COUNTRY = "Kyrgyzstan"
NULL = "\\N"


def dat_rows(path: str, blob: str) -> list[list[str]]:
    """The rows of an OpenFlights .dat file (CSV without a header row)."""
    text = source_bytes(REPOSITORY, COMMIT, path, blob).decode("utf-8")
    return [["" if value == NULL else value for value in row]
            for row in csv.reader(io.StringIO(text))]


def build(out: Path) -> None:
    """Write airports.csv and routes.csv into `out`."""
    airports = [row for row in dat_rows(*AIRPORTS)
                if row[AIRPORT_HEADER.index("country")] == COUNTRY]
    ids = {row[AIRPORT_HEADER.index("airport_id")] for row in airports}
    source_id = ROUTE_HEADER.index("source_airport_id")
    destination_id = ROUTE_HEADER.index("destination_airport_id")
    routes = [row for row in dat_rows(*ROUTES)
              if row[source_id] in ids or row[destination_id] in ids]
    write_csv(out / "airports.csv", AIRPORT_HEADER, airports)
    write_csv(out / "routes.csv", ROUTE_HEADER, routes)


if __name__ == "__main__":
    main(build, __file__)
