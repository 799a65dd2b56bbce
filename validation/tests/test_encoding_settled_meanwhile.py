"""A long single-byte file is validated decoded with the encoding its first
bytes give (``encoding.first_guess``) while the whole file's is settled in
another thread; the outcome is that of detecting first, and a guess the
whole file contradicts leaves nothing behind, its rows for COPY included."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from kg_validation import encoding, validate
from kg_validation.encoding import first_guess
from kg_validation.fast.copy_rows import CopyRows, NotWritten
from kg_validation.validate import validate_table

SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"},
                      {"name": "amount", "type": "number", "decimalChar": ","}]}
RUSSIAN = "".join(f"{n};Житель села Кемин {n};{n},5\r\n" for n in range(1, 4000))
# isolated high bytes between Latin letters: Western text, so latin-1 (and
# in cp1251 each is a lone Cyrillic letter, not a word)
LATIN = "".join(f"{n};Caf\u00e9 in M\u00fcnchen {n};{n},5\r\n" for n in range(1, 150))


def _cell(value):
    return None if value is None else str(value)


def _outcome(result, canonical):
    described = dataclasses.asdict(result.encoding)
    return (result.valid, described, result.flatten(["rowNumber", "fieldNumber", "type"]),
            result.normalisation.to_dict(), canonical.read_bytes())


def _detected_first(monkeypatch, source, tmp_path):
    with monkeypatch.context() as patch:
        patch.setattr(validate, "first_guess", lambda path: None)
        canonical = tmp_path / "first.csv"
        return _outcome(validate_table(source, SCHEMA, output=canonical), canonical)


def test_the_whole_file_is_settled_in_its_own_thread_while_rows_are_read(monkeypatch, tmp_path):
    monkeypatch.setattr(encoding, "GUESS_SAMPLE", 4096)
    source = tmp_path / "table.csv"
    source.write_bytes(("id;name;amount\r\n" + RUSSIAN).encode("cp1251"))
    assert first_guess(source).encoding == "cp1251"
    threads = []
    detect = encoding.detect_encoding

    def recorded(path, *rest):
        threads.append(threading.current_thread().name)
        return detect(path, *rest)

    monkeypatch.setattr(validate, "detect_encoding", recorded)
    rows = CopyRows(tmp_path / "rows.csv", _cell)
    canonical = tmp_path / "canonical.csv"
    result = validate_table(source, SCHEMA, output=canonical, copy_rows=rows)
    assert threads == ["kg-encoding_0"]
    assert rows.written == 3999
    assert _outcome(result, canonical) == _detected_first(monkeypatch, source, tmp_path)
    assert result.encoding.encoding == "cp1251" and result.valid


def test_a_guess_the_whole_file_contradicts_counts_for_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(encoding, "GUESS_SAMPLE", 4096)
    source = tmp_path / "table.csv"
    source.write_bytes(("id;name;amount\r\n" + LATIN).encode("latin-1")
                       + RUSSIAN.encode("cp1251"))
    assert first_guess(source).encoding == "latin-1"
    assert encoding.detect_encoding(source).encoding == "cp1251"
    rows = CopyRows(tmp_path / "rows.csv", _cell)
    canonical = tmp_path / "canonical.csv"
    result = validate_table(source, SCHEMA, output=canonical, copy_rows=rows)
    assert _outcome(result, canonical) == _detected_first(monkeypatch, source, tmp_path)
    assert result.encoding.encoding == "cp1251"
    # the guessed run's rows were never whole: a reader of them got no table
    assert rows.written is None and not rows.target.exists()
    with pytest.raises(NotWritten):
        rows.finished.result()


def test_a_refusal_under_a_contradicted_guess_is_not_the_files(monkeypatch, tmp_path):
    """0x98 is no character in cp1251: a file guessed cp1251 from its start
    but CP866 as a whole is read as CP866, not refused."""
    monkeypatch.setattr(encoding, "GUESS_SAMPLE", 4096)
    source = tmp_path / "table.csv"
    head = ("id;name;amount\r\n" + RUSSIAN[:6000]).encode("cp1251")
    tail = "".join(f"{n};Житель села Кемин {n} в деревне;{n},5\r\n"
                   for n in range(4000, 12000)).encode("cp866")
    source.write_bytes(head + b"1;\x98;1,5\r\n" + tail)
    assert first_guess(source).encoding == "cp1251"
    whole = encoding.detect_encoding(source).encoding
    assert whole != "cp1251"
    result = validate_table(source, SCHEMA, output=tmp_path / "canonical.csv")
    assert result.unreadable is None
    assert result.encoding.encoding == whole
