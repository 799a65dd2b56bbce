"""The pyarrow fast path must give exactly frictionless's answer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg_validation.validate import CheckOptions, validate_table

SPEC = ["rowNumber", "fieldNumber", "type"]
MESSY_FILES = [
    "085a4406_4-с-1-1.csv", "3dc88cbf_4-1-1.csv", "54750e55_1-2-1.csv", "575e4629_7-1-1.csv",
    "677ed5ed_1-4-1.csv", "cd84525c_8-7-1.csv", "d6208847_17-3-1-1.csv", "d6208847_6-4-2-1.csv",
]
REGIONS = ["KG02000000000", "KG03000000000", "KG11000000000", "KG21000000000", "KG08213000000"]
NAMES = ["Ысык-Көл", "Жалал-Абад", "Бишкек ш.", "Ош ш.", "Кемин", "Тоң", "Чүй облусу"]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "date", "type": "date"},
        {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
        {"name": "region", "type": "string", "constraints": {"required": True}},
        {"name": "name", "type": "string"},
        {"name": "serial", "type": "string", "constraints": {"unique": True}},
    ],
    "primaryKey": ["id"],
}
OPTIONS = dict(region_code_field="region")


def _both(path: Path, schema=None, **options):
    fast = validate_table(path, schema, options=CheckOptions(fast=True, **options))
    slow = validate_table(path, schema, options=CheckOptions(fast=False, **options))
    assert slow.engine == "frictionless"
    return fast, slow


def _generated_table(path: Path, rows: int, seed: int, errors: int) -> None:
    generator = random.Random(seed)
    lines = ["id,date,amount,region,name,serial"]
    for number in range(1, rows + 1):
        cells = [str(number), f"2023-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
                 f"{generator.randint(0, 99999)}.{generator.randint(0, 99)}",
                 generator.choice(REGIONS), generator.choice(NAMES), f"S{number}"]
        lines.append(",".join(cells))
    for _ in range(errors):
        _inject(generator, lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _inject(generator: random.Random, lines: list[str]) -> None:
    index = generator.randint(1, len(lines) - 1)
    cells = lines[index].split(",")
    kind = generator.randrange(9)
    if kind == 0:
        cells[0] = str(generator.randint(1, len(lines) - 1))  # duplicate key
    elif kind == 1:
        cells[1] = generator.choice(["2023-02-30", "30.01.2023", "2023-13-01"])
    elif kind == 2:
        cells[2] = generator.choice(["-5", '"12,5"', "n/a", "1 000"])
    elif kind == 3:
        cells[3] = generator.choice(["", "KG99000000000", " KG02000000000"])
    elif kind == 4:
        cells[4] = "Кыргызстaн"  # Latin a
    elif kind == 5:
        cells[5] = f"S{generator.randint(1, len(lines) - 1)}"  # repeated unique value
    elif kind == 6:
        cells[0] = ""  # empty primary key
    elif kind == 7:
        cells[2] = generator.choice(["007", "+5", "1e3", "0.50"])  # valid, but not "certain"
    else:
        cells[1] = ""
    lines[index] = ",".join(cells)


@pytest.mark.parametrize("name", MESSY_FILES)
def test_messy_corpus_with_draft_schema(messy, name):
    fast, slow = _both(messy / name)
    assert fast.flatten(SPEC) == slow.flatten(SPEC)


@pytest.mark.parametrize("seed", range(12))
def test_generated_tables_with_injected_errors(tmp_path, seed):
    path = tmp_path / "generated.csv"
    _generated_table(path, rows=400, seed=seed, errors=25)
    fast, slow = _both(path, SCHEMA, **OPTIONS)
    assert fast.engine == "fast"
    assert fast.flatten(SPEC + ["note"]) == slow.flatten(SPEC + ["note"])
    assert slow.flatten(SPEC) != []


def test_fast_engine_is_used_on_a_clean_large_table(tmp_path):
    path = tmp_path / "clean.csv"
    _generated_table(path, rows=5000, seed=99, errors=0)
    fast, slow = _both(path, SCHEMA, **OPTIONS)
    assert (fast.engine, fast.valid, slow.valid) == ("fast", True, True)


def test_errors_without_uncertain_key_cells_stay_on_the_fast_engine(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "id,date,amount,region,name,serial\n"
        "1,2023-01-01,5,KG02000000000,Ош,S1\n"
        "2,2023-02-30,-1,KG99000000000,Кыргызстaн,S1\n"
        "2,2023-01-03,7,,Нарын,S3\n",
        encoding="utf-8",
    )
    fast, slow = _both(path, SCHEMA, **OPTIONS)
    assert fast.engine == "fast"
    assert fast.flatten(SPEC) == slow.flatten(SPEC) == [
        [3, 2, "type-error"],
        [3, 3, "constraint-error"],
        [3, 6, "unique-error"],
        [3, 4, "kg-region-code"],
        [3, 5, "kg-mixed-script"],
        [4, 4, "constraint-error"],
        [4, None, "primary-key"],
    ]


INVALID_FIXTURES = {
    "header-problems.csv": "id,name,name,\n1,Ош,Ош,x\n",
    "ragged.csv": "id,name\n1,Ош,extra\n2\n3,Нарын\n",
    "blank-rows.csv": "id,name\n1,Ош\n\n,\n2,Нарын\n",
    "single-column.csv": "name\nОш\n\nНарын\n",
    "types.csv": "id,amount\n1,1.5\nx,y\n3,\n",
}


@pytest.mark.parametrize("name", sorted(INVALID_FIXTURES))
def test_invalid_fixtures(tmp_path, name):
    path = tmp_path / name
    path.write_text(INVALID_FIXTURES[name], encoding="utf-8")
    schema = None if name != "types.csv" else {
        "fields": [{"name": "id", "type": "integer"}, {"name": "amount", "type": "number"}],
        "primaryKey": ["id"],
    }
    fast, slow = _both(path, schema)
    assert fast.flatten(SPEC) == slow.flatten(SPEC)
    assert slow.flatten(SPEC) != []


SCHEMA_WITH_MORE_CONSTRAINTS = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"minimum": 1, "maximum": 390}},
        {"name": "date", "type": "date", "constraints": {"unique": True}},
        {"name": "amount", "type": "number", "constraints": {"maximum": 50000}},
        {"name": "region", "type": "string", "constraints": {"enum": REGIONS[:3]}},
        {"name": "name", "type": "string", "constraints": {"enum": NAMES, "minLength": 3}},
        {"name": "serial", "type": "string", "constraints": {"maxLength": 3}},
    ],
}


@pytest.mark.parametrize("seed", range(4))
def test_range_length_enum_and_unique_dates(tmp_path, seed):
    path = tmp_path / "generated.csv"
    _generated_table(path, rows=300, seed=seed, errors=0)
    fast, slow = _both(path, SCHEMA_WITH_MORE_CONSTRAINTS, mixed_script=False)
    assert fast.engine == "fast"
    assert fast.flatten(SPEC + ["note"]) == slow.flatten(SPEC + ["note"])
    types = {error[2] for error in slow.flatten(SPEC)}
    assert types == {"constraint-error", "unique-error"}


def test_many_errors_stay_on_the_fast_engine_up_to_the_error_limit(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,n\n" + "".join(f"{n},{'x' if n % 3 else n}\n" for n in range(1, 3000)),
                    encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "n", "type": "integer"}]}
    options = dict(mixed_script=False)
    fast = validate_table(path, schema, options=CheckOptions(**options), error_limit=50)
    slow = validate_table(path, schema, options=CheckOptions(fast=False, **options), error_limit=50)
    assert fast.engine == "fast"
    assert fast.flatten(SPEC) == slow.flatten(SPEC)
    assert len(fast.flatten(SPEC)) == 50
    assert fast.report.tasks[0].warnings == slow.report.tasks[0].warnings


def test_suspects_without_errors_beyond_those_kept_fall_back(tmp_path, monkeypatch):
    """kg-inn marks a superset of its errors; if too many suspects are error-free,
    the rows left out might hold errors before the limit: row by row then."""
    from kg_validation.fast import engine

    monkeypatch.setattr(engine, "BLOCK_SIZE", 256)
    path = tmp_path / "t.csv"
    path.write_text("id,inn\n" + "".join(f"{n}, 0123456789012{n % 10}\n" for n in range(1, 40))
                    + "40,12\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "inn", "type": "string"}]}
    options = dict(inn_field="inn", mixed_script=False)
    fast = validate_table(path, schema, options=CheckOptions(**options), error_limit=5)
    slow = validate_table(path, schema, options=CheckOptions(fast=False, **options), error_limit=5)
    assert (fast.engine, fast.row_by_row_reason) == ("frictionless", "more suspect rows than kept")
    assert fast.flatten(SPEC) == slow.flatten(SPEC) == [[41, 2, "kg-inn"]]


def test_dates_and_integers_at_the_edges(tmp_path):
    """Year 0000, leap days and long or signed integers: the same answer as frictionless."""
    dates = ["0000-01-01", "0001-01-01", "9999-12-31", "1900-02-29", "2000-02-29", "2023-02-29",
             "2024-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00", "2023-1-01"]
    integers = ["-5", "007", "-0", "123456789012345678", "1234567890123456789", "+5", "1.0", "٣"]
    lines = ["id,date,count"] + [
        f"{number},{dates[number % len(dates)]},{integers[number % len(integers)]}"
        for number in range(1, 60)
    ]
    path = tmp_path / "edges.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "date", "type": "date"},
                         {"name": "count", "type": "integer"}]}
    fast, slow = _both(path, schema, mixed_script=False)
    assert fast.engine == "fast"
    assert fast.flatten(SPEC + ["cell"]) == slow.flatten(SPEC + ["cell"])
    bad_dates = {cell for _, field, kind, cell in slow.flatten(SPEC + ["cell"]) if field == 2}
    assert bad_dates == {"0000-01-01", "1900-02-29", "2023-02-29", "2023-04-31", "2023-13-01",
                         "2023-00-10", "2023-01-00"}


def test_clean_dates_in_every_batch_stay_certain(tmp_path, monkeypatch):
    from kg_validation.fast import engine

    monkeypatch.setattr(engine, "BLOCK_SIZE", 256)
    lines = ["id,date"] + [f"{n},20{n % 100:02d}-{n % 12 + 1:02d}-{n % 28 + 1:02d}" for n in range(1, 400)]
    lines[200] = "200,2023-02-30"
    path = tmp_path / "dates.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "date", "type": "date"}]}
    fast, slow = _both(path, schema, mixed_script=False)
    assert fast.engine == "fast"
    assert fast.flatten(SPEC) == slow.flatten(SPEC) == [[201, 2, "type-error"]]


@pytest.mark.parametrize("distinct", [True, False])
def test_mixed_script_in_columns_of_many_or_few_values(tmp_path, distinct):
    words = ["Кыргызстaн", "Еducation", "Бишкек", "Bishkek", "Wi-Fi-зона", "ɵмүр", "Ош"]
    lines = ["id,text,code"] + [
        f"{n},{words[n % len(words)]}{' ' + str(n) if distinct else ''},C{n}" for n in range(1, 300)
    ]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "text", "type": "string"},
                         {"name": "code", "type": "string"}]}
    fast, slow = _both(path, schema)
    assert fast.engine == "fast"
    assert fast.flatten(SPEC) == slow.flatten(SPEC)
    assert {kind for _, _, kind in slow.flatten(SPEC)} == {"kg-mixed-script"}


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_cells_with_line_breaks_are_read_whole(tmp_path, ending):
    """The normaliser says when a cell holds a line break; pyarrow then reads serially."""
    rows = [f'{n},"адрес {n}{ending}Бишкек",{n if n % 50 else "x"}' for n in range(1, 300)]
    path = tmp_path / "multiline.csv"
    path.write_bytes(("id,address,count" + ending + ending.join(rows) + ending).encode("utf-8"))
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "address", "type": "string"},
                         {"name": "count", "type": "integer"}]}
    fast, slow = _both(path, schema, mixed_script=False)
    assert (fast.engine, fast.normalisation.line_breaks_in_cells) == ("fast", True)
    assert fast.flatten(SPEC) == slow.flatten(SPEC) == [[n + 1, 3, "type-error"] for n in range(50, 300, 50)]
    single = tmp_path / "single.csv"
    single.write_text("id,address,count\n1,Бишкек,2\n", encoding="utf-8")
    assert validate_table(single, schema).normalisation.line_breaks_in_cells is False
