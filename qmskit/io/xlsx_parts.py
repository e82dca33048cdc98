"""What an in-place save through openpyxl would drop from an office's workbook, found before the file is
replaced; then the office's file stays as it is and our version goes to a copy beside it. The same for a
workbook qmskit reads but openpyxl cannot load, or whose owned cell lies under merged cells the office
made (:class:`NotSavedInPlace`): our version, a fresh workbook, goes to the copy.

openpyxl round-trips cells, styles, merged cells, comments, validations, conditional formats, defined
names, tables, images (with Pillow) and charts, and silently drops the rest: drawn shapes and text boxes,
threaded comments and their people, form and ActiveX controls, slicers and timelines, pivot tables,
custom XML (document-management ids, sensitivity labels), embedded objects, a sheet's Excel 2010
extensions (sparklines, data bars), and anything newer it does not know. The saved workbook is compared
with the office's, part by part (each part's content type counted, each drawing's anchors counted, each
sheet's extensions counted): whatever the saved one has fewer of is lost. Not counted, because openpyxl
writes them anew or they hold nothing anyone typed: the calculation chain, printer-driver settings (the
page setup itself is kept), document properties, the thumbnail, chart style presets, VML (the comments
it draws are counted as comments, the controls as controls).
"""
from __future__ import annotations

import enum
import re
import warnings
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from qmskit.errors import KeptAsCopyWarning, Message
from qmskit.i18n.catalog import msg
from qmskit.io.xlsx_read import XML_PREFIX


class LostPart(enum.Enum):
    """A kind of part openpyxl does not keep; the value is the catalog key of its words."""
    SHAPES = "xlsx.part.shapes"
    THREADED_COMMENTS = "xlsx.part.threaded_comments"
    CONTROLS = "xlsx.part.controls"
    SLICERS = "xlsx.part.slicers"
    PIVOT_TABLES = "xlsx.part.pivot_tables"
    CUSTOM_XML = "xlsx.part.custom_xml"
    EMBEDDED = "xlsx.part.embedded"
    IMAGES = "xlsx.part.images"
    SHEET_EXTENSIONS = "xlsx.part.sheet_extensions"
    OTHER = "xlsx.part.other"


class PartsWouldBeLost(Exception):
    """Raised by an in-place save whose result lacks parts of the office's file; carries the result, so
    it can go to a copy instead."""

    def __init__(self, data: bytes, lost: list[tuple[LostPart, str]]):
        super().__init__(", ".join(kind.value for kind, _ in lost))
        self.data, self.lost = data, lost


class NotSavedInPlace(Exception):
    """Raised by an in-place save that cannot be made without losing what the office put in its workbook
    (openpyxl cannot load it; a value would go under the office's merged cells). ``why``: the Message."""

    def __init__(self, why: Message):
        super().__init__(str(why))
        self.why = why


def error_words(exc: BaseException) -> str:
    """A library's error as a short single line ("TypeError: expected <class 'float'>")."""
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"


def load_for_update(path: Path, **options):
    """openpyxl's full load of a workbook qmskit has read (the input limits already checked), to save into
    it; :class:`NotSavedInPlace` when openpyxl cannot load it (a row height or a validation written as
    some other program writes them: TypeError, ValueError …), rather than a fresh workbook over it."""
    from openpyxl import load_workbook
    try:
        return load_workbook(path, **options)
    except Exception as exc:  # whatever openpyxl raises on content it does not know
        raise NotSavedInPlace(msg("xlsx.openpyxl_cannot_load", error=error_words(exc))) from None


def merged_over(cell) -> Message | None:
    """Why ``cell`` (an openpyxl cell) cannot take a value: it lies under merged cells (openpyxl refuses
    to write it; Excel shows only the merge's first cell). None for a cell that can."""
    from openpyxl.cell.cell import MergedCell
    if not isinstance(cell, MergedCell):
        return None
    ranges = [r.coord for r in cell.parent.merged_cells.ranges if cell.coordinate in r]
    return msg("xlsx.under_merged_cells", cell=cell.coordinate, cells=ranges[0] if ranges else cell.coordinate)


def save_as_copy(path: Path, write, why: Message) -> Path:
    """Our version of ``path``, written by ``write(tmp_path)``, beside it as ``<stem>.unsaved-<time><suffix>``
    (a name nobody holds), the office's file untouched; one warning saying why and where."""
    from qmskit.io import iorw
    copy = iorw.claim_unsaved_copy(path)
    try:
        with iorw.atomic_path(copy, lock=True) as tmp:
            write(tmp)
    except BaseException:
        iorw.drop_placeholder(copy)
        raise
    warnings.warn(KeptAsCopyWarning(msg("xlsx.not_saved_in_place", why=why, copy=copy.name), path=path, copy=copy),
                  stacklevel=3)
    return copy


_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_ANCHOR = re.compile(rb"<" + XML_PREFIX + rb"(?:twoCellAnchor|oneCellAnchor|absoluteAnchor)[\s>/]")
_EXTENSION = re.compile(rb"<" + XML_PREFIX + rb"ext\s[^>]*\buri=")
# content type (lower case) → kind; the first that the type contains wins
_KINDS = (("threadedcomments", LostPart.THREADED_COMMENTS), ("ms-excel.person", LostPart.THREADED_COMMENTS),
          ("controlproperties", LostPart.CONTROLS), ("activex", LostPart.CONTROLS),
          ("slicer", LostPart.SLICERS), ("timeline", LostPart.SLICERS),
          ("pivottable", LostPart.PIVOT_TABLES), ("pivotcache", LostPart.PIVOT_TABLES),
          ("customxml", LostPart.CUSTOM_XML), ("oleobject", LostPart.EMBEDDED),
          ("image/", LostPart.IMAGES))
_NOT_COUNTED = ("calcchain", "printersettings", "core-properties", "extended-properties", "custom-properties",
                "chartstyle", "chartcolorstyle", "vmldrawing", "relationships", "spreadsheetml.styles",
                "sharedstrings", "theme", "sheet.main", "macroenabled.main", "template.main", "vbaproject",
                "worksheet+xml", "chartsheet", "comments", "drawingml.chart", "spreadsheetml.table+xml",
                "externallink", "spreadsheetml.template")


def _content_types(zf: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    """(part name → type, extension → type) from [Content_Types].xml."""
    try:
        root = ElementTree.fromstring(zf.read("[Content_Types].xml"))
    except (KeyError, ElementTree.ParseError):
        return {}, {}
    overrides = {e.get("PartName", "").lstrip("/").lower(): e.get("ContentType", "").lower()
                 for e in root.iter(f"{_CT}Override")}
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "").lower() for e in root.iter(f"{_CT}Default")}
    return overrides, defaults


def inventory(zf: zipfile.ZipFile) -> Counter[tuple[LostPart, str]]:
    """How many of each kind of part openpyxl may drop the package holds; OTHER is counted by part name."""
    overrides, defaults = _content_types(zf)
    found: Counter[tuple[LostPart, str]] = Counter()
    for info in zf.infolist():
        name = info.filename
        if info.is_dir() or name == "[Content_Types].xml" or name.lower().endswith(".rels"):
            continue
        kind_of = overrides.get(name.lower()) or defaults.get(name.rpartition(".")[2].lower(), "")
        if name.lower().startswith("docprops/thumbnail"):
            continue
        if kind_of.endswith("drawing+xml"):       # its anchors: pictures, charts, shapes and text boxes
            found[(LostPart.SHAPES, "")] += len(_ANCHOR.findall(zf.read(info)))
            continue
        if kind_of.endswith("worksheet+xml"):     # a sheet's Excel 2010 extensions (sparklines, data bars ...)
            found[(LostPart.SHEET_EXTENSIONS, "")] += len(_EXTENSION.findall(zf.read(info)))
            continue
        if name.lower().startswith("customxml/"):
            found[(LostPart.CUSTOM_XML, "")] += 1
            continue
        kind = next((k for key, k in _KINDS if key in kind_of), None)
        if kind is not None:
            found[(kind, "")] += 1
        elif kind_of and any(key in kind_of for key in _NOT_COUNTED):
            continue
        else:
            found[(LostPart.OTHER, name)] += 1
    return found


def parts_lost(existing: Path, written: bytes) -> list[tuple[LostPart, str]]:
    """The kinds of part ``existing`` holds more of than the workbook ``written`` (its in-place save)."""
    import io
    with zipfile.ZipFile(existing) as old, zipfile.ZipFile(io.BytesIO(written)) as new:
        before, after = inventory(old), inventory(new)
    return sorted((key for key, n in before.items() if after.get(key, 0) < n), key=lambda k: (k[0].value, k[1]))


def described(lost: list[tuple[LostPart, str]]) -> Message:
    """The lost kinds in words, as one Message said in either language ("threaded comments, drawings (…),
    other parts (xl/connections.xml)")."""
    others = ", ".join(where for kind, where in lost if kind is LostPart.OTHER)
    words: list[Message] = []
    for kind in dict.fromkeys(kind for kind, _ in lost):
        words.append(msg(kind.value, where=others) if kind is LostPart.OTHER else msg(kind.value))
    said = words[0]
    for word in words[1:]:
        said = msg("xlsx.part.list", first=said, next=word)
    return said


def check_kept(existing: Path, written: Path) -> None:
    """Raise :class:`PartsWouldBeLost` when ``written`` (an in-place save of ``existing``) lacks parts."""
    data = Path(written).read_bytes()
    lost = parts_lost(existing, data)
    if lost:
        raise PartsWouldBeLost(data, lost)


def keep_as_copy(path: Path, lost: PartsWouldBeLost) -> Path:
    """Our version of ``path`` beside it as ``<stem>.unsaved-<time><suffix>`` (a name nobody holds), the
    office's file untouched; one warning saying what was kept where and why."""
    from qmskit.io import iorw
    copy = iorw.claim_unsaved_copy(path)
    try:
        iorw.write_bytes(copy, lost.data, lock=True)
    except BaseException:
        iorw.drop_placeholder(copy)
        raise
    warnings.warn(KeptAsCopyWarning(msg("xlsx.kept_as_copy", parts=described(lost.lost), copy=copy.name),
                                    path=path, copy=copy), stacklevel=3)
    return copy
