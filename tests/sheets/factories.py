"""Hostile XLSX and ZIP files, written by hand so each one is exactly what it claims.

Used by the tests and by benchmarks/import_roster.py --hostile. A minimal workbook is
five small XML parts; the sheet XML is what varies.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

ROSTER_HEADER = ("工号", "姓名", "部门", "入职日期")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{extra}</Types>"
)
_SST_TYPE = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "{extra}</Relationships>"
)
_SST_REL = '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number: int, values: Sequence[object], *, start_column: int = 1) -> str:
    cells = "".join(
        cell(f"{get_column_letter(start_column + i)}{number}", value)
        for i, value in enumerate(values)
        if value is not None
    )
    return f'<row r="{number}">{cells}</row>'


def roster_rows(count: int, *, first: int = 1) -> list[tuple[object, ...]]:
    return [
        (f"H{n:05d}", f"新人{n}", "风险控制部", "2026-12-01") for n in range(first, first + count)
    ]


def sheet_xml(rows_xml: Iterable[str], *, dimension: str | None = None, before: str = "") -> str:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{SHEET_OPEN}{head}{before}<sheetData>{''.join(rows_xml)}</sheetData></worksheet>"


def roster_sheet(people: int = 3, *, dimension: str | None = None, last_row: int = 0) -> str:
    """A roster sheet; `last_row` adds an empty formatted row there, as Excel writes when
    someone formats rows below the data."""
    rows = [ROSTER_HEADER, *roster_rows(people)]
    xml = [row_xml(i, r) for i, r in enumerate(rows, start=1)]
    if last_row:
        xml.append(f'<row r="{last_row}" s="1" customFormat="1"/>')
    return sheet_xml(xml, dimension=dimension)


def xlsx(
    sheet: str | bytes,
    *,
    shared_strings: str | bytes | None = None,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A workbook whose first (only) sheet is `sheet`, zipped as Excel does."""
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=compression) as package:
        package.writestr(
            "[Content_Types].xml", _CONTENT_TYPES.format(extra=_SST_TYPE if shared_strings else "")
        )
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK)
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(extra=_SST_REL if shared_strings else ""),
        )
        package.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            package.writestr("xl/sharedStrings.xml", shared_strings)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return target.getvalue()


# --- the hostile files --------------------------------------------------------


def declared_wide() -> bytes:
    """A 3-person roster whose sheet declares A1:XFD300 (16,384 columns by 300 rows) and
    has a formatted empty row 300."""
    return xlsx(roster_sheet(3, dimension="A1:XFD300", last_row=300))


def declared_huge() -> bytes:
    """A 3-person roster whose sheet declares every cell Excel has, A1:XFD1048576, and has
    a formatted empty row 1,048,576."""
    return xlsx(roster_sheet(3, dimension="A1:XFD1048576", last_row=1048576))


def cell_at_xfd() -> bytes:
    """A 3-person roster with one stray value in column XFD of the header row."""
    rows = [ROSTER_HEADER, *roster_rows(3)]
    xml = [row_xml(i, r) for i, r in enumerate(rows, start=1)]
    xml[0] = xml[0].replace("</row>", cell("XFD1", "x") + "</row>")
    return xlsx(sheet_xml(xml))


def last_row_only() -> bytes:
    """A 3-person roster and one value in the sheet's last row, 1,048,576."""
    rows = [ROSTER_HEADER, *roster_rows(3)]
    xml = [row_xml(i, r) for i, r in enumerate(rows, start=1)]
    xml.append(row_xml(1048576, ["x"]))
    return xlsx(sheet_xml(xml))


def cells_bomb(cells: int = 3_000_000) -> bytes:
    """One row of millions of empty styled cells: tiny zipped, huge to parse."""
    return xlsx(sheet_xml([row_xml(1, ROSTER_HEADER), '<row r="2">' + "<c/>" * cells + "</row>"]))


def zip_bomb(megabytes: int = 200) -> bytes:
    """A roster whose sharedStrings part inflates to `megabytes` MB of spaces."""
    padding = b" " * (megabytes * 1024 * 1024)
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>x</t></si>" + padding + b"</sst>"
    )
    return xlsx(roster_sheet(3), shared_strings=sst)


def encrypted() -> bytes:
    """A real workbook whose sheet entry is marked encrypted (ZipCrypto flag bit 0)."""
    data = bytearray(xlsx(roster_sheet(3), compression=zipfile.ZIP_STORED))
    name = b"xl/worksheets/sheet1.xml"
    # Set the flag in the local header and the central directory entry of the sheet.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        name_offset = 30 if signature == b"PK\x03\x04" else 46
        start = 0
        while (at := data.find(signature, start)) != -1:
            if data[at + name_offset : at + name_offset + len(name)] == name:
                data[at + flag_offset] |= 0x01
            start = at + 4
    return bytes(data)


def billion_laughs() -> bytes:
    """A sheet with an entity-expansion DTD (XML bomb)."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    sheet = roster_sheet(3).replace(
        SHEET_OPEN, f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>' + SHEET_OPEN[38:]
    )
    sheet = sheet.replace("新人1<", "&a9;<")
    return xlsx(sheet)


def malformed_sheet() -> bytes:
    """A roster whose sheet XML stops in the middle of a row."""
    return xlsx(roster_sheet(3)[:-60])


def not_a_number() -> bytes:
    """A numeric cell (no t attribute) that holds text."""
    sheet = roster_sheet(3).replace(
        "</row></sheetData>", '<c r="E4"><v>abc</v></c></row></sheetData>'
    )
    return xlsx(sheet)


def not_a_zip() -> bytes:
    """A CSV renamed to .xlsx."""
    return "工号,姓名,部门,入职日期\nH1,张三,风险控制部,2026-12-01\n".encode()


def many_entries(count: int = 20_000) -> bytes:
    return xlsx(roster_sheet(3), extra={f"customXml/item{i}.xml": b"<a/>" for i in range(count)})


HOSTILE = {
    "declared A1:XFD300": declared_wide,
    "declared A1:XFD1048576": declared_huge,
    "cell at XFD1": cell_at_xfd,
    "value in row 1048576": last_row_only,
    "3 M empty cells in one row": cells_bomb,
    "zip bomb (200 MB sharedStrings)": zip_bomb,
    "encrypted entry": encrypted,
    "billion laughs DTD": billion_laughs,
    "malformed sheet XML": malformed_sheet,
    "text in a number cell": not_a_number,
    "20,000 zip entries": many_entries,
    "CSV renamed .xlsx": not_a_zip,
}
