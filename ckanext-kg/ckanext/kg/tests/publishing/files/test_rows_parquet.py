"""The stored Parquet file of a table loaded from the rows for COPY is
written from those rows as validation writes them (`rows_parquet`): byte
for byte the file read back from their CSV (`Version.write_parquet`), in
the same row groups; where it could differ, none is written and the CSV
is read as before."""
import pyarrow.parquet as pq
import pytest

from ckanext.kg.publishing.files import rows_parquet, stored
from ckanext.kg.publishing.load import datastore
from ckanext.kg.tests.publishing.load.test_copy_rows import ROWS, SCHEMA, _canonical
from kg_validation.fast.copy_rows import write_copy_rows

FIELDS = datastore.datastore_fields(SCHEMA)


def written_with_the_rows(tmp_path, rows, schema=SCHEMA, block=rows_parquet.BLOCK):
    """(the Parquet writer, the rows' CSV), written in one pass."""
    fields = datastore.datastore_fields(schema)
    parquet = rows_parquet.ParquetRows(tmp_path / "rows.parquet",
                                       rows_parquet.arrow_schema(fields), block)
    target = tmp_path / "rows.csv"
    assert write_copy_rows(rows, schema, target, datastore.copy_cell, reader=parquet) is not None
    return parquet, target


def read_back(csv, fields, block=None):
    """What `Version.write_parquet` makes of the CSV: its bytes, or None."""
    version = stored.Version("rows-parquet-test", fields)
    try:
        version.copy_csv(csv)
        version.write_parquet(empty_is_null=False, block=block)
        return version.partial["parquet"].read_bytes() if version.has_parquet else None
    finally:
        version.discard()


@pytest.mark.parametrize("repeat, block", [(1, None), (500, None), (500, 4096)])
def test_the_parquet_file_is_the_one_read_back_from_the_rows(tmp_path, repeat, block):
    parquet, csv = written_with_the_rows(tmp_path, _canonical(tmp_path, ROWS * repeat),
                                         block=block or rows_parquet.BLOCK)
    assert parquet.whole
    assert parquet.target.read_bytes() == read_back(csv, FIELDS, block)
    groups = pq.ParquetFile(parquet.target).metadata.num_row_groups
    assert groups == (csv.stat().st_size // 4096 + 1 if block else 1)  # one per block
    assert pq.read_table(parquet.target).num_rows == 4 * repeat


def test_a_block_holding_no_line_end_leaves_the_file_to_the_csv(tmp_path):
    parquet, csv = written_with_the_rows(tmp_path, _canonical(tmp_path, ROWS * 5), block=100)
    assert not parquet.whole and not parquet.target.exists()
    assert read_back(csv, FIELDS, 100) is None  # a row across two blocks: the reader refuses


def test_datetimes_without_fractions_are_read_alike(tmp_path):
    schema = {"fields": [{"name": "id", "type": "integer"},
                         {"name": "moment", "type": "datetime"}]}
    path = tmp_path / "moments.csv"
    path.write_text("id,moment\n1,0001-01-01T00:00:00\n2,0999-12-31T23:59:59\n"
                    "3,2024-02-29T23:00:00\n4,\n5,9999-12-31T00:00:01\n", "utf-8")
    parquet, csv = written_with_the_rows(tmp_path, path, schema)
    assert csv.read_text("utf-8") == ("id,moment\n1,0001-01-01T00:00:00\n2,0999-12-31T23:59:59\n"
                                      "3,2024-02-29T23:00:00\n4,\n5,9999-12-31T00:00:01\n")
    assert parquet.whole
    assert parquet.target.read_bytes() == read_back(csv, datastore.datastore_fields(schema))


def test_a_cell_holding_a_line_break_leaves_the_file_to_the_csv(tmp_path):
    """The CSV reader's blocks may end inside such a cell: the file is read
    from the CSV, as before."""
    rows = [list(row) for row in ROWS]
    rows[0][16] = "два\nряда"  # "name", a string
    parquet, csv = written_with_the_rows(tmp_path, _canonical(tmp_path, rows))
    assert not parquet.whole and not parquet.target.exists()


def test_a_table_of_one_column_leaves_the_file_to_the_csv(tmp_path):
    schema = {"fields": [{"name": "day", "type": "date", "format": "%d.%m.%Y"}]}
    path = tmp_path / "days.csv"
    path.write_text("day\n31.01.2023\n\n", "utf-8")
    parquet, _ = written_with_the_rows(tmp_path, path, schema)
    assert not parquet.whole and not parquet.target.exists()


def test_rows_discarded_leave_no_parquet_file(tmp_path):
    parquet, _ = written_with_the_rows(tmp_path, _canonical(tmp_path, ROWS))
    parquet.discard()
    assert not parquet.whole and not parquet.target.exists()


@pytest.mark.parametrize("block", [None, 4096])
def test_columns_without_an_empty_cell_give_the_file_read_back(tmp_path, block):
    """Rows with no missing value but in one column: the columns without an
    empty cell are written as they are, the same bytes as read back."""
    rows = [ROWS[0], ROWS[1], ROWS[3]] * 500
    parquet, csv = written_with_the_rows(tmp_path, _canonical(tmp_path, rows),
                                         block=block or rows_parquet.BLOCK)
    assert parquet.whole
    assert parquet.target.read_bytes() == read_back(csv, FIELDS, block)
    assert pq.read_table(parquet.target).column("extra").null_count == 500


def encodings(path, name):
    metadata = pq.ParquetFile(path).metadata
    index = metadata.schema.names.index(name)
    return {encoding for group in range(metadata.num_row_groups)
            for encoding in metadata.row_group(group).column(index).encodings}


@pytest.mark.parametrize("block", [None, 4096])
def test_only_columns_that_repeat_their_values_get_a_dictionary(tmp_path, block):
    """Each row its own id and e-mail: those are written as plain values,
    the columns repeating theirs with a dictionary, in every row group,
    the same bytes as read back."""
    rows = [[str(n), *ROWS[n % 2][1:15], f"person{n}@stat.kg", *ROWS[n % 2][16:]]
            for n in range(2000)]
    parquet, csv = written_with_the_rows(tmp_path, _canonical(tmp_path, rows),
                                         block=block or rows_parquet.BLOCK)
    assert parquet.whole
    assert parquet.target.read_bytes() == read_back(csv, FIELDS, block)
    assert "RLE_DICTIONARY" not in encodings(parquet.target, "id")
    assert "RLE_DICTIONARY" not in encodings(parquet.target, "mail")
    assert "RLE_DICTIONARY" in encodings(parquet.target, "day")
    assert "RLE_DICTIONARY" in encodings(parquet.target, "amount")


def test_a_table_of_no_rows_gives_the_file_read_back(tmp_path):
    parquet, csv = written_with_the_rows(tmp_path, _canonical(tmp_path, []))
    assert parquet.whole
    assert parquet.target.read_bytes() == read_back(csv, FIELDS)
    assert pq.read_table(parquet.target).num_rows == 0
