"""Reading uploaded XLSX workbooks within bounds of memory and time.

An XLSX is a ZIP of XML parts, and both layers can lie. The sheet's `<dimension>` is
the writer's claim: openpyxl pads every row to the declared width and fills the gaps
up to a row number, so a 4.8 KB file declaring A1:XFD300 became 4.9 million cells in
one request and A1:XFD1048576 ran the worker out of memory. A ZIP entry may inflate
a thousandfold, and a single row may hold millions of empty `<c/>` elements that
openpyxl keeps as objects until the row ends.

So nothing is believed until checked, in this order, each step bounded by the last:
1. the archive's central directory (entry count, encryption, compression method,
   declared sizes and ratios) — zipfile enforces the declared size when reading, so a
   lying entry ends in a CRC error, not in more bytes;
2. every XML part, with expat and no element tree: no DTD (Excel never writes one;
   entity expansion is an XML bomb), well-formed, a bounded number of elements in the
   parts openpyxl parses whole;
3. the first sheet: how many cells each row has, how many in all, and the last row
   that holds a value;
4. only then openpyxl (read_only, declared dimensions ignored), reading no further
   than that last row and no wider than the columns asked for.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_CHUNK = 64 * 1024
# Parts whose compression ratio is not looked at: too small to matter.
_RATIO_GRACE_BYTES = 1024 * 1024
# Parts openpyxl parses into a whole tree (workbook, styles, relationships…), and the
# part of every other sheet it reads to find the dimension: elements held at once.
_MAX_TREE_ELEMENTS = 200_000
# Excel's own limit; a row with more cells was not written by a spreadsheet program.
_MAX_CELLS_PER_ROW = 16_384
_SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

DAMAGED = _(
    "The XLSX workbook is damaged or not a real Excel file. Open it in Excel, save it again and retry."
)
PASSWORD_PROTECTED = _(
    "The workbook is password-protected. Remove the password in Excel, save it and upload again."
)


class SpreadsheetError(Exception):
    """An uploaded workbook that is refused; the message says what to do about it."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class XlsxLimits:
    """How much of an uploaded workbook is read at most (defaults from settings)."""

    max_rows: int  # raw sheet rows, empty ones included
    max_columns: int
    max_entries: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    max_cells: int

    @classmethod
    def from_settings(cls, *, max_rows: int, max_columns: int | None = None) -> XlsxLimits:
        return cls(
            max_rows=max_rows,
            max_columns=max_columns or settings.XLSX_MAX_COLUMNS,
            max_entries=settings.XLSX_MAX_ENTRIES,
            max_uncompressed_bytes=settings.XLSX_MAX_UNCOMPRESSED_BYTES,
            max_compression_ratio=settings.XLSX_MAX_COMPRESSION_RATIO,
            max_cells=settings.XLSX_MAX_CELLS,
        )


def read_xlsx_rows(stream: IO[bytes], *, limits: XlsxLimits) -> list[tuple[Any, ...]]:
    """The first sheet's rows as values, at most `limits.max_columns` wide, up to the last
    row holding a value. Raises SpreadsheetError for anything refused."""
    from openpyxl import load_workbook

    archive = open_archive(stream, limits=limits)
    try:
        for info in archive.infolist():
            _scan_part(archive, info, limits=limits)
    finally:
        archive.close()
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except _OPENPYXL_ERRORS as exc:
        raise SpreadsheetError(DAMAGED) from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(DAMAGED)
        sheet = workbook.worksheets[0]
        # A chartsheet has no cells; openpyxl's read-only sheets have a path.
        path = getattr(sheet, "_worksheet_path", None)
        if path is None:
            raise SpreadsheetError(DAMAGED)
        facts = _SheetScan(limits)
        _parse_part(workbook._archive, path, facts)
        if facts.last_value_row == 0:
            return []
        sheet.reset_dimensions()
        return list(
            sheet.iter_rows(
                min_row=1,
                max_row=facts.last_value_row,
                max_col=limits.max_columns,
                values_only=True,
            )
        )
    except _OPENPYXL_ERRORS as exc:
        raise SpreadsheetError(DAMAGED) from exc
    finally:
        workbook.close()


def open_archive(stream: IO[bytes], *, limits: XlsxLimits) -> zipfile.ZipFile:
    """The ZIP, once its directory passes the checks; refused before anything is inflated."""
    declared = _declared_entry_count(stream)
    if declared > limits.max_entries:
        raise _too_many_entries(declared, limits)
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetError(DAMAGED) from exc
    try:
        check_archive(entries, limits=limits)
    except SpreadsheetError:
        archive.close()
        raise
    return archive


def check_archive(entries: list[zipfile.ZipInfo], *, limits: XlsxLimits) -> None:
    if len(entries) > limits.max_entries:
        raise _too_many_entries(len(entries), limits)
    total = 0
    for info in entries:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(PASSWORD_PROTECTED)
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            raise SpreadsheetError(DAMAGED)
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise SpreadsheetError(
                _(
                    "The workbook unpacks to more than %(max)s. Delete other sheets, pictures "
                    "and unused rows, or split the roster into smaller files."
                )
                % {"max": filesizeformat(limits.max_uncompressed_bytes)}
            )
        if (
            info.file_size > _RATIO_GRACE_BYTES
            and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
        ):
            raise SpreadsheetError(
                _(
                    "A part of the workbook unpacks to %(ratio)d times its packed size, "
                    "which Excel never writes. Open it in Excel, save it again and retry."
                )
                % {"ratio": info.file_size // max(info.compress_size, 1)}
            )


def _too_many_entries(count: int, limits: XlsxLimits) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The workbook has %(count)d parts; at most %(max)d are accepted. "
            "Copy the roster into a new workbook and upload that."
        )
        % {"count": count, "max": limits.max_entries}
    )


def _declared_entry_count(stream: IO[bytes]) -> int:
    """The entry count in the end-of-central-directory record, read before zipfile builds
    an object per entry (20,000 entries take it over a second). 0 when there is none;
    zipfile then says what is wrong. A ZIP64 archive gives 0xFFFF: more than accepted."""
    stream.seek(0, 2)
    size = stream.tell()
    tail_length = min(size, 22 + 0xFFFF)  # the record, then a comment of up to 64 KiB
    stream.seek(size - tail_length)
    tail = stream.read(tail_length)
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at == -1 or at + 22 > len(tail):
        return 0
    return int.from_bytes(tail[at + 10 : at + 12], "little")


class _Stop(Exception):
    """Enough of this part has been seen."""


class _PartScan:
    """Counts what openpyxl will hold of a part it parses into a tree."""

    def __init__(self) -> None:
        self.elements = 0
        self.root = ""
        self.stop_after_first_row = False

    def start(self, local: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if not self.root:
            self.root = local
        if self.elements > _MAX_TREE_ELEMENTS:
            # No spreadsheet program writes a workbook part, style sheet or single string
            # this large; openpyxl would hold all of it as objects.
            raise SpreadsheetError(DAMAGED)

    def end(self, local: str) -> None:
        # Any sheet: openpyxl reads up to the dimension or the first row, then stops;
        # the sheet it reads in full is scanned again by _SheetScan.
        if local == "row" and self.root in ("worksheet", "chartsheet", "dialogsheet"):
            raise _Stop


class _SharedStringsScan(_PartScan):
    def __init__(self, limits: XlsxLimits) -> None:
        super().__init__()
        self.limits = limits
        self.strings = 0

    def start(self, local: str, attrs: dict[str, str]) -> None:
        # Every string is kept in memory for the whole read: as many as cells at most.
        # openpyxl holds one string's tree at a time; rich text has a few runs.
        if local == "si":
            self.strings += 1
            self.elements = 0
            if self.strings > self.limits.max_cells:
                raise SpreadsheetError(_too_many_cells(self.limits))
        super().start(local, attrs)


class _SheetScan(_PartScan):
    """The cells of the sheet that will be read: per row, in all, and the last value."""

    def __init__(self, limits: XlsxLimits) -> None:
        super().__init__()
        self.limits = limits
        self.row = 0
        self.row_cells = 0
        self.cells = 0
        self.last_value_row = 0

    def start(self, local: str, attrs: dict[str, str]) -> None:
        if local == "c":
            self.cells += 1
            self.row_cells += 1
            if self.row_cells > _MAX_CELLS_PER_ROW:
                raise SpreadsheetError(
                    _(
                        "Row %(row)d of the sheet has more than %(max)d cells. Delete the "
                        "unused columns right of the roster and upload again."
                    )
                    % {"row": self.row, "max": _MAX_CELLS_PER_ROW}
                )
            if self.cells > self.limits.max_cells:
                raise SpreadsheetError(_too_many_cells(self.limits))
        elif local == "row":
            # As openpyxl counts: the r attribute, else one after the previous row.
            number = attrs.get("r")
            self.row = int(number) if number is not None else self.row + 1
            self.row_cells = 0
        elif local in ("v", "is") and self.row > self.last_value_row:
            if self.row > self.limits.max_rows:
                raise SpreadsheetError(
                    _(
                        "The sheet has a value in row %(row)d; at most %(max)d rows are read. "
                        "Delete the rows below the roster or split it into smaller files."
                    )
                    % {"row": self.row, "max": self.limits.max_rows}
                )
            self.last_value_row = self.row

    def end(self, local: str) -> None:
        pass


def _too_many_cells(limits: XlsxLimits) -> Promise:
    return _(
        "The sheet has more than %(max)d cells. Delete other content from the workbook or "
        "split the roster into smaller files."
    ) % {"max": limits.max_cells}


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limits: XlsxLimits) -> None:
    if info.is_dir():
        return
    name = info.filename.lower()
    scan: _PartScan = (
        _SharedStringsScan(limits)
        if name.rsplit("/", 1)[-1].startswith("sharedstrings")
        else _PartScan()
    )
    _parse_part(archive, info.filename, scan, only_if_xml=True)


def _parse_part(
    archive: zipfile.ZipFile, name: str, scan: _PartScan, *, only_if_xml: bool = False
) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse_dtd(*_args: Any) -> None:
        raise SpreadsheetError(DAMAGED)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = lambda tag, attrs: scan.start(tag.rpartition(" ")[2], attrs)
    parser.EndElementHandler = lambda tag: scan.end(tag.rpartition(" ")[2])
    try:
        with archive.open(name) as part:
            first = part.read(_CHUNK)
            # Pictures, embedded files and the like are not parsed by openpyxl.
            if only_if_xml and not first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                return
            chunk = first
            while chunk:
                parser.Parse(chunk, False)
                chunk = part.read(_CHUNK)
            parser.Parse(b"", True)
    except _Stop:
        return
    except (expat.ExpatError, ValueError, KeyError, *_ZIP_ERRORS) as exc:
        raise SpreadsheetError(DAMAGED) from exc


_ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,  # an encrypted entry the directory did not flag
)
# What openpyxl raises on content it cannot make sense of (a number cell holding text,
# a shared string index out of range, a part missing).
_OPENPYXL_ERRORS: tuple[type[Exception], ...] = (
    *_ZIP_ERRORS,
    ParseError,
    expat.ExpatError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
)
