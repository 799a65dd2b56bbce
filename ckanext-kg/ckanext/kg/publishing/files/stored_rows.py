"""The rows of a published table read from its stored CSV (`stored`), as
`datastore_search` returns them, for whole-table XLSX and JSON downloads.

`datastore_search` (records as lists) has PostgreSQL turn each value into
JSON (`to_json`; timestamps through `to_char`) and decodes that with
msgspec. Here pyarrow reads the stored CSV in record batches with the
options the stored Parquet file was written with, and each column becomes
the Python values that decoding gives: integers and booleans as they are,
dates and timestamps as PostgreSQL writes them, numbers in PostgreSQL's
own text (its `numeric` keeps the scale written: 40, 40.0 and 4E1 give
40, 40.0 and 40) decoded by msgspec, JSON cells decoded by msgspec.

Only a table whose Parquet file was written qualifies: pyarrow then read
every cell of the CSV with these types, so reading it again cannot stop
half way. A `time` column qualifies when each of its times is written as
PostgreSQL writes a time (`HH:MM:SS`, a fraction without trailing zeros),
which the stored Parquet file's column shows before anything is read;
a column of another type leaves the table to the DataStore.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any, BinaryIO, Callable, Iterator, Optional

import ckan.plugins.toolkit as tk

from ckanext.kg.publishing.files import stored

BLOCK = 1 << 20  # bytes of CSV per record batch
Row = tuple[Any, ...]
PLAIN_NUMBER = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$")
READ_AS = {  # DataStore type -> pyarrow type the CSV column is read as
    "int": "int32", "int4": "int32", "int8": "int64", "bool": "bool",
    "date": "date32", "timestamp": "timestamp[us]",
    "numeric": "string", "text": "string", "json": "string", "time": "string"}
# a time as PostgreSQL writes it (what `datastore_search` gives), and so as it is
POSTGRESQL_TIME = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{0,5}[1-9])?$|^24:00:00$"


def pages(resource_id: str) -> Optional[tuple[list[dict[str, str]], Iterator[list[Row]]]]:
    """The stored table's fields and its rows in pages, or None when the
    DataStore must answer (no stored Parquet file, or a column type not
    read here)."""
    served = stored.served(resource_id)
    if not readable(resource_id, served):
        return None
    source = stored.open_current(resource_id, "csv", served)
    if source is None:
        return None
    return served["fields"], _rows(source, served["fields"], served["empty_is_null"])


def readable(resource_id: str, served: dict[str, Any]) -> bool:
    """Whether the stored CSV of the publication `served` gives the values
    `datastore_search` gives (see above)."""
    fields = served.get("fields")
    if served.get("empty_is_null") is None or "parquet" not in served.get("files", {}) or \
            not fields or any(f["type"] not in READ_AS for f in fields):
        return False
    times = [f["id"] for f in fields if f["type"] == "time"]
    return not times or _written_as_postgresql_writes(resource_id, served, times)


def _written_as_postgresql_writes(resource_id: str, served: dict[str, Any],
                                  times: list[str]) -> bool:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    source = stored.open_current(resource_id, "parquet", served)
    if source is None:
        return False
    with source:
        table = pq.read_table(source, columns=times)
    return all(pc.all(pc.match_substring_regex(column, POSTGRESQL_TIME)).as_py() is not False
               for column in table.columns)


def columns(resource_id: str) -> Optional[tuple[list[dict[str, str]], Iterator[list[Any]]]]:
    """As `pages`, the rows in batches of columns (for `export_writers.
    write_xlsx_columns`): pyarrow arrays where the values are plain (ints,
    booleans, text; dates and timestamps as their text), lists of the
    Python values for JSON, numbers as PostgreSQL's text."""
    served = stored.served(resource_id)
    if not readable(resource_id, served):
        return None
    source = stored.open_current(resource_id, "csv", served)
    if source is None:
        return None
    return served["fields"], column_batches(source, served["fields"], served["empty_is_null"])


def column_batches(source: BinaryIO, fields: list[dict[str, str]],
                   empty_is_null: bool) -> Iterator[list[Any]]:
    shapes = [_shape(f["type"]) for f in fields]
    with source:
        for batch in _batches(source, fields, empty_is_null):
            yield [shape(column) for column, shape in zip(batch.columns, shapes, strict=True)]


def _shape(datastore_type: str) -> Callable[[Any], Any]:
    """How a column read by pyarrow becomes a column of `columns`."""
    import pyarrow as pa
    if datastore_type == "date":
        return lambda column: column.cast(pa.string())
    if datastore_type == "timestamp":
        from ckanext.kg.publishing.files.export_writers import timestamp_text
        return lambda column: timestamp_text(column, _timespec())
    if datastore_type == "json":
        return _json_values
    return lambda column: column


def _timespec() -> str:
    return "milliseconds" if tk.config.get("ckan.datastore.ms_in_timestamp") else "seconds"


def _batches(source: BinaryIO, fields: list[dict[str, str]], empty_is_null: bool):
    """The stored CSV's record batches, read as the stored Parquet file was written."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    schema = pa.schema([(f["id"], pa.type_for_alias(READ_AS[f["type"]])) for f in fields])
    read = pa_csv.ReadOptions(column_names=schema.names, skip_rows=1, block_size=BLOCK)
    convert = pa_csv.ConvertOptions(  # as `stored.Version.write_parquet`
        column_types=schema, null_values=[""], strings_can_be_null=True,
        quoted_strings_can_be_null=empty_is_null)
    with pa_csv.open_csv(source, read_options=read, convert_options=convert) as reader:
        yield from reader


def _rows(source: BinaryIO, fields: list[dict[str, str]],
          empty_is_null: bool) -> Iterator[list[Row]]:
    values = [_values(f["type"]) for f in fields]
    with source:
        for batch in _batches(source, fields, empty_is_null):
            columns = [to_values(column)
                       for column, to_values in zip(batch.columns, values, strict=True)]
            yield list(zip(*columns, strict=True))


def _values(datastore_type: str) -> Callable[[Any], list[Any]]:
    """How a column read by pyarrow (an Array) becomes what
    `datastore_search` gives."""
    import pyarrow as pa
    if datastore_type == "date":  # ISO 8601, as PostgreSQL's to_json
        return lambda column: column.cast(pa.string()).to_pylist()
    if datastore_type == "timestamp":
        timespec = _timespec()
        return lambda column: [_iso(v, timespec) for v in column.to_pylist()]
    if datastore_type == "numeric":
        return _numbers
    if datastore_type == "json":
        return _json_values
    return lambda column: column.to_pylist()


def _iso(value: Optional[dt.datetime], timespec: str) -> Optional[str]:
    return None if value is None else value.isoformat(timespec=timespec)


def _numbers(column: Any) -> list[Any]:
    """Numbers as msgspec decodes PostgreSQL's JSON of them."""
    import msgspec
    import pyarrow.compute as pc
    plain = pc.and_(pc.match_substring_regex(column, PLAIN_NUMBER.pattern),
                    pc.invert(pc.starts_with(column, "-0")))
    if pc.all(plain).as_py():  # already as PostgreSQL writes them (the usual case)
        text = ",".join(pc.fill_null(column, "null").to_pylist())
    else:
        text = ",".join("null" if v is None else numeric_json(v)
                        for v in column.to_pylist())
    return msgspec.json.decode(f"[{text}]")


def _json_values(column: Any) -> list[Any]:
    import msgspec
    return [None if v is None else msgspec.json.decode(v) for v in column.to_pylist()]


def numeric_json(text: str) -> str:
    """PostgreSQL's `to_json` of the `numeric` read from `text`: the number
    in plain notation with the scale written, or a JSON string for NaN
    and the infinities."""
    if PLAIN_NUMBER.fullmatch(text) and not text.startswith("-0"):
        return text  # already as PostgreSQL writes it (the usual case)
    number = decimal.Decimal(text)
    if number.is_nan():
        return '"NaN"'
    if number.is_infinite():
        return '"-Infinity"' if number < 0 else '"Infinity"'
    if number.is_zero():
        number = abs(number)  # PostgreSQL has no negative zero
    return format(number, "f")
