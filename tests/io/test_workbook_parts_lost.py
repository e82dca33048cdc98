"""A workbook holding parts openpyxl cannot keep is never saved over: our version goes to a copy beside it.

Before: saving answers into an office's .xlsx (the form, ``migrate`` into it, re-running ``plan``) went
through openpyxl, which silently dropped the drawn shapes and text boxes, threaded comments (and the list
of people who wrote them), form controls and custom XML the office had in it; the one .bak kept them
until five more saves pushed it out. Now the office's file is left byte for byte as it was, the answers are
saved to ``<stem>.unsaved-<time>.xlsx`` (a name no other copy holds), and one line (en and zh) says what
was kept where and why. These tests failed before (the parts were gone, no copy, no line).

The parts are written into the workbook's zip here as Excel writes them (openpyxl cannot make them).
"""
from __future__ import annotations

import re
import sys
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from qmskit.errors import ResponsesWarning
from qmskit.i18n.catalog import say
from qmskit.io.responses import read_responses, write_responses
from qmskit.io.xlsx_parts import LostPart, inventory

sys.path.insert(0, str(Path(__file__).parents[1]))
from savecheck import save_one_cell  # noqa: E402
from textcheck import assert_chinese_line  # noqa: E402

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
LIBREOFFICE_XLSX = Path(__file__).parents[1] / "data" / "office-libreoffice.xlsx"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
PERSON, THREAD = "{6B1A6A3E-1111-4000-8000-000000000001}", "{0D5C1E2A-2222-4000-8000-000000000002}"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def with_parts(src: Path, out: Path, *, sheet_rels=(), book_rels=(), types=(), parts=(), sheet_tail="",
               sheet: str = "sheet2.xml") -> Path:
    """``src`` with more parts: relationships from a sheet (the Assessment sheet is xl/worksheets/sheet2.xml
    as qmskit writes it) and from the workbook, content types, the parts, and XML at the end of the sheet."""
    with zipfile.ZipFile(src) as zin:
        files = {name: zin.read(name) for name in zin.namelist()}
    rels = f"xl/worksheets/_rels/{sheet}.rels"
    empty = f'{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
    for name, added in ((rels, sheet_rels), ("xl/_rels/workbook.xml.rels", book_rels)):
        if added:
            body = files.get(name, empty.encode()).decode()
            more = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in added)
            files[name] = body.replace("</Relationships>", more + "</Relationships>").encode()
    more = "".join(f'<Override PartName="/{p}" ContentType="{c}"/>' for p, c in types)
    files["[Content_Types].xml"] = files["[Content_Types].xml"].decode().replace("</Types>", more + "</Types>").encode()
    if sheet_tail:
        xml = files[f"xl/worksheets/{sheet}"].decode()
        if "xmlns:r=" not in xml[:600]:
            xml = xml.replace("<worksheet ", f'<worksheet xmlns:r="{R}" ', 1)
        files[f"xl/worksheets/{sheet}"] = xml.replace("</worksheet>", sheet_tail + "</worksheet>").encode()
    files.update(parts)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in files.items():
            zout.writestr(name, data)
    return out


def threaded_comment(src: Path, out: Path, sheet: str = "sheet2.xml") -> Path:
    """A threaded comment on F3 (the evidence of 4.1-a) by Li Na, with the workbook's list of people."""
    return with_parts(
        src, out, sheet=sheet,
        sheet_rels=[("rIdTc1", "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
                     "../threadedComments/threadedComment1.xml")],
        book_rels=[("rIdPeople", "http://schemas.microsoft.com/office/2017/10/relationships/person",
                    "persons/person.xml")],
        types=[("xl/threadedComments/threadedComment1.xml", "application/vnd.ms-excel.threadedcomments+xml"),
               ("xl/persons/person.xml", "application/vnd.ms-excel.person+xml")],
        parts={"xl/threadedComments/threadedComment1.xml": (
                   f'{XML}<ThreadedComments xmlns="{TC}"><threadedComment ref="F3" dT="2026-11-30T09:00:00.00" '
                   f'personId="{PERSON}" id="{THREAD}"><text>Ask the director about the register</text>'
                   f'</threadedComment></ThreadedComments>').encode(),
               "xl/persons/person.xml": (
                   f'{XML}<personList xmlns="{TC}"><person displayName="Li Na" id="{PERSON}" '
                   f'userId="li.na@example.org" providerId="None"/></personList>').encode()})


def text_box(src: Path, out: Path) -> Path:
    """A text box drawn beside the answers (a drawing with a shape: no picture, no chart)."""
    drawing = (f'{XML}<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
               '<xdr:from><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff>'
               '</xdr:from><xdr:to><xdr:col>16</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>5</xdr:row>'
               '<xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink=""><xdr:nvSpPr>'
               '<xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm>'
               '<a:off x="0" y="0"/><a:ext cx="1828800" cy="731520"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
               '</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r>'
               '<a:t>Audit on 3 March: bring the register</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/>'
               '</xdr:twoCellAnchor></xdr:wsDr>')
    return with_parts(src, out, sheet_rels=[("rIdShape", f"{R}/drawing", "../drawings/drawing9.xml")],
                      types=[("xl/drawings/drawing9.xml", "application/vnd.openxmlformats-officedocument.drawing+xml")],
                      parts={"xl/drawings/drawing9.xml": drawing.encode()}, sheet_tail='<drawing r:id="rIdShape"/>')


def check_box(src: Path, out: Path) -> Path:
    """A form control (a check box's properties)."""
    return with_parts(src, out, sheet_rels=[("rIdCtrl", f"{R}/ctrlProp", "../ctrlProps/ctrlProp1.xml")],
                      types=[("xl/ctrlProps/ctrlProp1.xml", "application/vnd.ms-excel.controlproperties+xml")],
                      parts={"xl/ctrlProps/ctrlProp1.xml": (
                          f'{XML}<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"'
                          ' objectType="CheckBox" checked="Checked" lockText="1"/>').encode()})


def custom_xml(src: Path, out: Path) -> Path:
    """A document-management system's record id, kept in the workbook as custom XML."""
    return with_parts(
        src, out, book_rels=[("rIdCx", f"{R}/customXml", "../customXml/item1.xml")],
        types=[("customXml/itemProps1.xml", "application/vnd.openxmlformats-officedocument.customXmlProperties+xml")],
        parts={"customXml/item1.xml": b'<?xml version="1.0"?><records xmlns="urn:example:dms"><id>QMS-17</id></records>',
               "customXml/itemProps1.xml": (f'{XML}<ds:datastoreItem ds:itemID="{{11111111-2222-3333-4444-555555555555}}"'
                                            ' xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
                                            '<ds:schemaRefs/></ds:datastoreItem>').encode()})


PARTS = {"threaded comments": (threaded_comment, LostPart.THREADED_COMMENTS),
         "drawings (shapes, text boxes, pictures)": (text_box, LostPart.SHAPES),
         "form or ActiveX controls": (check_box, LostPart.CONTROLS),
         "custom XML data": (custom_xml, LostPart.CUSTOM_XML)}


def office_workbook(tmp_path: Path, add) -> Path:
    base = tmp_path / "base.xlsx"
    write_responses(base, {"office": "Riverside"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes"}]), MINI,
                    backup=False)
    return add(base, tmp_path / "office.xlsx")


def save_owner(path: Path, owner: str) -> tuple[Path, list[ResponsesWarning]]:
    return save_one_cell(path, MINI, "owner", owner)


@pytest.mark.parametrize("words", list(PARTS))
def test_the_office_file_is_kept_and_the_answers_go_to_a_copy(tmp_path, words):
    add, kind = PARTS[words]
    path = office_workbook(tmp_path, add)
    assert inventory(zipfile.ZipFile(path))[(kind, "")] >= 1
    before = path.read_bytes()
    copies = []
    for n in range(2):  # two saves: two copies, neither over the other, the office's file never touched
        written, said = save_owner(path, f"Ms. Chen {n}")
        assert path.read_bytes() == before
        assert re.fullmatch(r"office\.unsaved-\d{8}-\d{6}(-\d+)?\.xlsx", written.name) and written.parent == tmp_path
        assert read_responses(written, MINI)[1].set_index("id").at["4.1-a", "owner"] == f"Ms. Chen {n}"
        assert len(said) == 1
        line = str(said[0])
        assert line == (f"{path}: holds {words}, which qmskit cannot keep when it saves into a workbook; the office's "
                        f"file was left as it is and this save went to {written.name} beside it")
        assert_chinese_line(say(said[0], "zh"), path)
        copies.append(written)
    assert copies[0] != copies[1] and all(c.exists() for c in copies)
    assert read_responses(copies[0], MINI)[1].set_index("id").at["4.1-a", "owner"] == "Ms. Chen 0"


def test_the_form_saves_every_change_into_one_copy_and_says_so(tmp_path):
    from qmskit.forms.session import ResponsesSession
    path = office_workbook(tmp_path, threaded_comment)
    before = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResponsesWarning)
        session = ResponsesSession(path, MINI, debounce=3600, max_delay=3600)
        try:
            for n in range(3):
                session.set("4.1-a", "evidence", f"register v{n}")
                assert session.flush()
        finally:
            session.close()
    assert path.read_bytes() == before
    copies = sorted(tmp_path.glob("office.unsaved-*.xlsx"))
    assert copies == [session.path] and session.kept_from == path
    assert read_responses(copies[0], MINI)[1].set_index("id").at["4.1-a", "evidence"] == "register v2"


def planned_with_threaded_comment(tmp_path: Path) -> tuple[Path, Path]:
    """A responses file with one finding, and its action plan, where someone left a threaded comment."""
    from qmskit.io.actions_xlsx import plan_file
    responses = tmp_path / "responses.xlsx"
    write_responses(responses, {"office": "Riverside"}, pd.DataFrame([{"id": "4.1-a", "answer": "no"}]), MINI,
                    backup=False)
    plan_file(responses, tmp_path / "fresh.xlsx", lang="en", checklist=MINI)
    return responses, threaded_comment(tmp_path / "fresh.xlsx", tmp_path / "plan.xlsx", sheet="sheet1.xml")


def test_a_re_planned_action_plan_with_a_threaded_comment_is_kept(tmp_path):
    from qmskit.io.actions_xlsx import plan_file
    responses, plan = planned_with_threaded_comment(tmp_path)
    before = plan.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan_file(responses, plan, checklist=MINI)
    assert plan.read_bytes() == before
    assert [c.name for c in tmp_path.glob("plan.unsaved-*.xlsx")] and any(
        "threaded comments" in str(w.message) for w in caught)


def test_workbooks_with_nothing_openpyxl_drops_are_still_saved_in_place(tmp_path):
    """No copy for what openpyxl keeps: a qmskit workbook, LibreOffice's, one with pictures, a chart and
    comments (tests/io/test_workbook_parts_kept.py checks those survive)."""
    pil = pytest.importorskip("PIL.Image")
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image

    own = office_workbook(tmp_path, lambda src, out: src)
    rich = tmp_path / "rich.xlsx"
    wb = openpyxl.load_workbook(own)
    ws = wb["Assessment"]
    ws["N3"].comment = Comment("Ask the director", "QA")
    pil.new("RGB", (8, 8), "red").save(tmp_path / "logo.png")
    ws.add_image(Image(tmp_path / "logo.png"), "P2")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=3))
    ws.add_chart(chart, "R2")
    wb.save(rich)
    libreoffice = tmp_path / "libreoffice.xlsx"
    libreoffice.write_bytes(LIBREOFFICE_XLSX.read_bytes())
    for path in (own, rich, libreoffice):
        meta, frame = read_responses(path, MINI)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResponsesWarning)
            assert write_responses(path, meta, frame.drop(columns="row"), MINI) == path
    assert not list(tmp_path.glob("*.unsaved-*"))


def test_actions_plan_on_the_command_line_says_where_the_plan_went(tmp_path):
    """``qmskit actions plan`` into a plan with a threaded comment: the one line, no "updated" line
    claiming the office's plan changed, exit 0."""
    from click.testing import CliRunner

    from qmskit.cli import main
    responses, plan = planned_with_threaded_comment(tmp_path)
    before = plan.read_bytes()
    for lang in ("en", "zh"):
        earlier = set(tmp_path.glob("plan.unsaved-*.xlsx"))
        res = CliRunner().invoke(main, ["actions", "plan", str(responses), "-o", str(plan), "--checklist", str(MINI),
                                        "--lang", lang])
        assert res.exit_code == 0, res.output
        lines = [line for line in res.output.splitlines() if line.strip()]
        (copy,) = set(tmp_path.glob("plan.unsaved-*.xlsx")) - earlier
        assert len(lines) == 1 and copy.name in lines[0] and str(plan) in lines[0], res.output
        if lang == "zh":
            assert_chinese_line(lines[0].removeprefix("警告：").removeprefix("warning: "), plan)
        else:
            assert "threaded comments" in lines[0]
    assert plan.read_bytes() == before and len(list(tmp_path.glob("plan.unsaved-*.xlsx"))) == 2
