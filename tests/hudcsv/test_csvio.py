import csv as csv_module
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hmis.hudcsv.columns import Column
from hmis.hudcsv.csvio import (
    BlockReader,
    Source,
    SourceError,
    Writer,
    canonical_header,
    format_value,
    parse_date,
    parse_datetime,
    parse_money,
    read_rows,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-01", date(2025, 10, 1)),
        ("10-01-2025", date(2025, 10, 1)),
        ("1-2-2025", date(2025, 1, 2)),
        ("10/01/2025", date(2025, 10, 1)),
        ("01-Oct-2025", date(2025, 10, 1)),
    ],
)
def test_dates_in_hud_and_us_forms_are_read(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2025-02-30", "yesterday", "2025/10/01", "13-01-2025", ""])
def test_other_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_date_times_are_read_as_local_time_with_or_without_seconds():
    chicago = ZoneInfo("America/Chicago")
    assert parse_datetime("2025-10-01 09:15:30") == datetime(2025, 10, 1, 9, 15, 30, tzinfo=chicago)
    assert parse_datetime("02-07-2023 12:00") == datetime(2023, 2, 7, 12, 0, tzinfo=chicago)
    assert parse_datetime("2025-10-01") == datetime(2025, 10, 1, tzinfo=chicago)


def test_money_has_two_decimals():
    assert parse_money("1250") == Decimal("1250.00")
    assert parse_money("-3.5") == Decimal("-3.50")
    with pytest.raises(ValueError):
        parse_money("$1,250")


def test_header_names_are_matched_whatever_their_case_and_with_known_variants():
    expected = ["ZIP", "HOHLeaseholder", "PersonalID"]
    assert canonical_header("\ufeffpersonalid", expected) == "PersonalID"
    assert canonical_header(" Zip ", expected) == "ZIP"
    assert canonical_header("HoHLeaseholder", expected) == "HOHLeaseholder"
    assert canonical_header("Notes", expected) is None


def test_reader_skips_blank_lines_and_reports_physical_line_numbers():
    text = '"A","B"\r\n"1","multi\r\nline"\r\n\r\n"2","x"\r\n'
    header, rows = read_rows(io.StringIO(text, newline=""))
    assert header == ["A", "B"]
    assert list(rows) == [(3, ["1", "multi\r\nline"]), (5, ["2", "x"])]


def test_writer_quotes_strings_only_and_leaves_nulls_empty():
    out = io.StringIO()
    writer = Writer(out, ["Name", "Count", "Day", "Amount", "Empty"])
    writer.writerow(
        [
            format_value(Column("Name", "S", 50, True, None), 'Bob "B" <Smith>, {Jr}'),
            format_value(Column("Count", "I", None, True, None), 3),
            format_value(Column("Day", "D", None, True, None), date(2025, 1, 2)),
            format_value(Column("Amount", "M", None, True, None), Decimal("5")),
            format_value(Column("Empty", "S", 50, True, None), None),
        ]
    )
    assert out.getvalue() == (
        '"Name","Count","Day","Amount","Empty"\r\n"Bob ""B"" Smith, Jr",3,2025-01-02,5.00,\r\n'
    )


def test_writer_writes_date_times_in_local_time():
    value = datetime(2025, 10, 1, 14, 15, tzinfo=ZoneInfo("UTC"))
    assert format_value(Column("T", "T", None, True, None), value) == "2025-10-01 09:15:00"


def test_source_finds_files_case_insensitively_in_folders_and_zips(tmp_path):
    (tmp_path / "client.CSV").write_text("PersonalID\r\nC1\r\n")
    folder = Source(tmp_path)
    assert folder.has("Client.csv")
    assert folder.count_lines("Client.csv") == 1
    import zipfile

    with zipfile.ZipFile(tmp_path / "x.zip", "w") as archive:
        archive.writestr("nested/Client.csv", "PersonalID\r\nC1\r\nC2")
    zipped = Source(tmp_path / "x.zip")
    assert zipped.file_names() == ["Client.csv"]
    assert zipped.count_lines("client.csv") == 2


def test_source_refuses_what_is_neither_a_folder_nor_a_zip(tmp_path):
    (tmp_path / "x.zip").write_text("not a zip")
    with pytest.raises(SourceError, match="neither a folder nor a zip"):
        Source(tmp_path / "x.zip")
    with pytest.raises(SourceError, match="does not exist"):
        Source(tmp_path / "missing")


TRICKY = (
    '"A","B"\r\n'
    '"1","multi\r\nline"\r\n'
    "\r\n"
    '"2","x"\n'
    "   \r\n"
    '"3","cr\ronly"\r\n'
    '"4","two\n\nbreaks"\r\n'
    '"5","y"\r\n'
    "\r\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_block_reader_gives_the_rows_and_line_numbers_of_read_rows(size):
    expected_header, expected = read_rows(io.StringIO(TRICKY, newline=""))
    blocks = BlockReader(io.StringIO(TRICKY, newline=""))
    got = []
    while True:
        lines, rows = blocks.read(size)
        if not rows:
            break
        # Blank lines do not make a block short: only the end of the file does.
        assert len(rows) == size or blocks.read(size) == ([], [])
        got.extend(zip(lines, rows, strict=True))
    assert blocks.header == expected_header
    assert got == list(expected)
    assert [line for line, _ in got] == [3, 5, 8, 11, 12]


def test_block_reader_gives_the_rows_before_a_fault_then_raises():
    text = '"A"\r\n"1"\r\n"2"\r\n"' + "x" * 200_000 + "\r\n"  # past the field size limit
    blocks = BlockReader(io.StringIO(text, newline=""))
    assert blocks.read(10) == ([2, 3], [["1"], ["2"]])
    with pytest.raises(csv_module.Error):
        blocks.read(10)
