"""The benchmarks' table: every Table Schema type, in two encodings.

``utf-8``: UTF-8, comma, ISO dates, decimal points, Kyrgyz and Russian
text. ``cp1251``: Windows-1251, ``;``, ``%d.%m.%Y`` dates and decimal commas
(``decimalChar: ","``), Russian text only (Windows-1251 has no Kyrgyz
letters), as agencies' spreadsheets export them. Each row is valid.

Rows are written in chunks: the id column (the primary key) and the UUID
column made from it are new in every chunk; the other columns repeat a
template of ``TEMPLATE_ROWS`` random rows, so generating 10 million rows
takes seconds, not minutes.
"""

from __future__ import annotations

import base64
import datetime
import json
import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "validation"))
from kg_validation.codelist import admin_divisions  # noqa: E402

TEMPLATE_ROWS = 100_000
UUID_PREFIX = "2bc1c94f-0deb-43e9-92a1-"
KYRGYZ = ["Ысык-Көл облусу", "Жалал-Абад облусу", "Нарын облусу", "Чүй облусу", "Бишкек шаары",
          "Ош шаары", "Баткен облусу", "Талас облусу", "Көл жээгиндеги айыл"]
RUSSIAN = ["Баткенская область", "Ошская область", "Таласская область", "Чуйская область",
           "город Бишкек", "город Ош", "Нарынская область", "Иссык-Кульская область", "село Кемин"]
AGENCIES = ["stat", "minfin", "minzdrav", "edu", "tax", "customs", "cbk", "mchs"]
VARIANTS = {
    "utf-8": {"encoding": "utf-8", "delimiter": ",", "decimal": ".", "date": "%Y-%m-%d"},
    "cp1251": {"encoding": "cp1251", "delimiter": ";", "decimal": ",", "date": "%d.%m.%Y"},
}
# name, Table Schema field (without name), PostgreSQL type for the COPY baseline
COLUMNS = [
    ("id", {"type": "integer"}, "bigint PRIMARY KEY"),
    ("region", {"type": "string", "constraints": {"required": True, "enum": "CODES"}},
     "text NOT NULL"),
    ("name_ky", {"type": "string"}, "text"),
    ("name_ru", {"type": "string", "constraints": {"maxLength": 60}}, "text"),
    ("email", {"type": "string", "format": "email"}, "text"),
    ("website", {"type": "string", "format": "uri"}, "text"),
    ("uuid", {"type": "string", "format": "uuid"}, "uuid"),
    ("photo", {"type": "string", "format": "binary"}, "text"),
    ("code", {"type": "string", "constraints": {"pattern": "[A-Z]{2}-[0-9]{4}"}}, "text"),
    ("count", {"type": "integer", "constraints": {"minimum": 0}}, "integer"),
    ("amount", {"type": "number", "constraints": {"minimum": 0}}, "numeric"),
    ("paid", {"type": "boolean"}, "boolean"),
    ("day", {"type": "date"}, "date"),
    ("opens", {"type": "time"}, "time"),
    ("updated", {"type": "datetime"}, "timestamp"),
    ("year", {"type": "year", "constraints": {"minimum": 1990}}, "smallint"),
    ("month", {"type": "yearmonth"}, "text"),
    ("lasts", {"type": "duration"}, "interval"),
    ("location", {"type": "geopoint"}, "text"),
    ("area", {"type": "geojson"}, "jsonb"),
    ("meta", {"type": "object"}, "jsonb"),
    ("tags", {"type": "array"}, "jsonb"),
    ("extra", {"type": "any"}, "text"),
]


def schema(variant: str = "utf-8") -> dict:
    """The Table Schema of the variant's table."""
    options = VARIANTS[variant]
    codes = sorted(admin_divisions())
    fields = []
    for name, descriptor, _ in COLUMNS:
        field = {"name": name, **json.loads(json.dumps(descriptor))}
        if field.get("constraints", {}).get("enum") == "CODES":
            field["constraints"]["enum"] = codes
        if name == "amount" and options["decimal"] != ".":
            field["decimalChar"] = options["decimal"]
        if name == "day" and options["date"] != "%Y-%m-%d":
            field["format"] = options["date"]
        fields.append(field)
    return {"fields": fields, "primaryKey": ["id"]}


def copy_columns(variant: str = "utf-8") -> str:
    """Column definitions of the COPY baseline's table (a decimal comma stays text)."""
    options = VARIANTS[variant]
    return ", ".join(f"{name} {'text' if name == 'amount' and options['decimal'] != '.' else kind}"
                     for name, _, kind in COLUMNS)


def write_table(path: Path, rows: int, variant: str = "utf-8", seed: int = 1) -> None:
    """Write ``rows`` valid rows of the variant's table to ``path``."""
    options = VARIANTS[variant]
    template = _template(random.Random(seed), options, min(rows, TEMPLATE_ROWS))
    delimiter = options["delimiter"]
    header = delimiter.join(name for name, _, _ in COLUMNS) + "\n"
    with path.open("wb") as out:
        out.write(header.encode(options["encoding"]))
        for start in range(0, rows, TEMPLATE_ROWS):
            count = min(TEMPLATE_ROWS, rows - start)
            ids = pc.cast(pa.array(range(start + 1, start + count + 1), pa.int64()), pa.string())
            uuid = pc.binary_join_element_wise(UUID_PREFIX, pc.utf8_lpad(ids, 12, "0"), "")
            columns = [ids] + [column.slice(0, count) for column in template]
            columns[6] = uuid
            lines = pc.binary_join_element_wise(*columns, delimiter)
            out.write(("\n".join(lines.to_pylist()) + "\n").encode(options["encoding"]))


def _template(generator: random.Random, options: dict, rows: int) -> list[pa.Array]:
    """Every column but the id, ``rows`` random valid cells each, quoted for CSV."""
    delimiter = options["delimiter"]
    return [pa.array([_quoted(maker(), delimiter) for _ in range(rows)])  # one list at a time
            for maker in _cell_makers(generator, options)]


def _cell_makers(generator: random.Random, options: dict) -> list:
    codes = sorted(admin_divisions())
    texts = KYRGYZ if options["encoding"] == "utf-8" else RUSSIAN
    places = [(round(69.3 + generator.random() * 10.9, 2),
               round(39.2 + generator.random() * 3.9, 2)) for _ in range(60)]
    start = datetime.date(2000, 1, 1)

    def day() -> datetime.date:
        return start + datetime.timedelta(days=generator.randrange(9000))

    def place() -> tuple[float, float]:
        return places[generator.randrange(len(places))]

    def clock() -> str:
        return f"{generator.randrange(24):02d}:{generator.randrange(60):02d}"

    def compact(value) -> str:
        return json.dumps(value, separators=(",", ":"))

    return [
        lambda: generator.choice(codes),
        lambda: f"{generator.choice(texts)} {generator.randrange(1000)}",
        lambda: f"{generator.choice(RUSSIAN)}, {generator.randrange(100)}",
        lambda: f"info@{generator.choice(AGENCIES)}.kg",
        lambda: f"https://{generator.choice(AGENCIES)}.kg",
        lambda: "",  # uuid: made from the id
        lambda: base64.b64encode(f"p{generator.randrange(500)}".encode()).decode(),
        lambda: f"{generator.choice('ABCDEFGH')}K-{generator.randrange(10000):04d}",
        lambda: str(generator.randrange(100000)),
        lambda: f"{generator.randrange(1000000)}{options['decimal']}{generator.randrange(100):02d}",
        lambda: generator.choice(["true", "false"]),
        lambda: day().strftime(options["date"]),
        lambda: f"{clock()}:{generator.randrange(60):02d}",
        lambda: f"{day().isoformat()}T{clock()}:00",
        lambda: str(1990 + generator.randrange(35)),
        lambda: f"{2000 + generator.randrange(25)}-{1 + generator.randrange(12):02d}",
        lambda: generator.choice(["PT1H", "PT1H30M", "P1D", "P1DT12H", "PT45M"]),
        lambda: "{},{}".format(*place()),
        lambda: compact({"type": "Point", "coordinates": list(place())}),
        lambda: compact({"by": generator.choice(AGENCIES)}),
        lambda: compact(generator.sample(AGENCIES, 2)),
        lambda: f"N{generator.randrange(100000)}",
    ]


def _quoted(cell: str, delimiter: str) -> str:
    if delimiter in cell or '"' in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


if __name__ == "__main__":  # bench_table.py PATH ROWS [VARIANT]
    write_table(Path(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:4])
