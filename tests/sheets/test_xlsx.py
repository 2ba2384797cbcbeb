"""The streaming XLSX writer makes files that openpyxl (and so Excel) reads back exactly."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from lms.sheets.xlsx import write_table


def roundtrip(rows, headers=("a", "b", "c"), title="报表"):
    target = io.BytesIO()
    count = write_table(target, headers=list(headers), rows=rows, title=title)
    target.seek(0)
    workbook = load_workbook(target)
    return count, workbook


def test_types_dates_and_chinese_text_round_trip():
    rows = [
        ["张伟", 42, 3.5],
        [dt.date(2026, 12, 1), dt.datetime(2026, 12, 1, 9, 30), None],
        [True, "", "多行\n文本"],
    ]
    count, workbook = roundtrip(rows)
    sheet = workbook.active
    assert count == 3 and sheet.title == "报表"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["a", "b", "c"]
    assert values[1] == ["张伟", 42, 3.5]
    assert values[2][0] == dt.datetime(2026, 12, 1)
    assert values[2][1] == dt.datetime(2026, 12, 1, 9, 30)
    assert values[2][2] is None
    assert values[3][0] is True and values[3][2] == "多行\n文本"
    assert sheet["A3"].number_format == "yyyy-mm-dd"


def test_formulas_stay_text_and_hostile_characters_cannot_break_the_file():
    rows = [
        ['=HYPERLINK("http://evil.example","点我")', "+1+1", "@SUM(A1)"],
        ["<script>&amp;</script>", "\x00\x07bell\x1f", "x" * 40_000],
    ]
    _count, workbook = roundtrip(rows, title="bad:/\\?*[]name" + "长" * 40)
    sheet = workbook.active
    first = sheet["A2"]
    assert first.value.startswith("=HYPERLINK") and first.data_type == "s"
    assert sheet["A3"].value == "<script>&amp;</script>"
    assert sheet["B3"].value == "bell"
    assert len(sheet["C3"].value) == 32_767
    assert len(sheet.title) <= 31


def test_aware_datetimes_are_refused():
    with pytest.raises(ValueError):
        write_table(io.BytesIO(), headers=["t"], rows=[[dt.datetime.now(dt.UTC)]])


def test_memory_does_not_grow_with_rows():
    import tracemalloc

    def rows(n):
        for i in range(n):
            yield [f"员工{i}", i, dt.date(2026, 12, 1)]

    tracemalloc.start()
    write_table(io.BytesIO(), headers=["a", "b", "c"], rows=rows(2_000))
    small = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    target = io.BytesIO()
    write_table(target, headers=["a", "b", "c"], rows=rows(40_000))
    large = tracemalloc.get_traced_memory()[1] - target.getbuffer().nbytes
    tracemalloc.stop()
    assert large < small * 3 + 1_000_000
