"""Builds wipo-treaties-kyrgyzstan.csv and wipo-treaties-central-asia.csv
from the membership of states in WIPO-administered treaties (World
Intellectual Property Organization, wipo.int/treaties), as packaged by
github.com/datasets/membership-to-copyright-treaties (ODC-PDDL-1.0), file
data/membership-to-copyright-treaties.csv.

Rows kept: Contracting Party Kyrgyzstan, and Kazakhstan, Kyrgyzstan,
Tajikistan, Turkmenistan, Uzbekistan, ordered by contracting party and
treaty. Columns are renamed, values copied as text, unchanged (an empty
instrument type or date stays empty: the source gives none).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from source_files import main, source_rows, write_csv  # noqa: E402

SOURCE = ("https://github.com/datasets/membership-to-copyright-treaties",
          "96217be87d0fd7bf68aa5b235809ae82b79403f8",
          "data/membership-to-copyright-treaties.csv",
          "19c36bfef40a704060982f050c0fdcac136b9c69")
CENTRAL_ASIA = ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan")
COLUMNS = [  # (source column, column here)
    ("Contracting Party", "contracting_party"), ("Treaty", "treaty"),
    ("Signature Date", "signature_date"), ("Instrument Type", "instrument_type"),
    ("Instrument Date", "instrument_date"), ("Entry Into Force Date", "entry_into_force_date"),
]


def build(out: Path) -> None:
    """Write the two tables into `out`."""
    rows = sorted(([r[source] for source, _ in COLUMNS] for r in source_rows(*SOURCE)
                   if r["Contracting Party"] in CENTRAL_ASIA),
                  key=lambda row: (row[0], row[1]))
    if len({(row[0], row[1]) for row in rows}) != len(rows):
        raise ValueError("more than one row for a contracting party and treaty")
    header = [name for _, name in COLUMNS]
    write_csv(out / "wipo-treaties-kyrgyzstan.csv", header,
              [row for row in rows if row[0] == "Kyrgyzstan"])
    write_csv(out / "wipo-treaties-central-asia.csv", header, rows)


if __name__ == "__main__":
    main(build, __file__)
