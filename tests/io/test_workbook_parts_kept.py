"""An in-place save keeps the parts of a workbook the office added: macros, a template's type, images,
charts, comments, validations, defined names, conditional formats.

Before: an .xlsm saved under .xlsx (a macro-enabled workbook the office renamed, or Excel's "save as"
keeping the old name) lost its VBA project on the first qmskit save: openpyxl drops it unless asked to keep
it. That test failed before; the others guard what already held (openpyxl keeps those parts).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"
XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLTX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
VBA = b"\xd0\xcf\x11\xe0 the office's macros " * 40


def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "base.xlsx"
    write_responses(path, {"office": "Riverside"}, pd.DataFrame([{"id": "4.1-a", "answer": "yes", "evidence": "x"}]),
                    MINI, backup=False)
    return path


def retyped(src: Path, out: Path, main_type: bytes, vba: bytes | None = None) -> Path:
    """``src`` with another workbook content type (and a VBA project), under the name ``out``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(XLSX_TYPE, main_type)
                if vba:
                    data = data.replace(b"</Types>", b'<Default Extension="bin" '
                                        b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels" and vba:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft'
                                    b'.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            zout.writestr(info, data)
        if vba:
            zout.writestr("xl/vbaProject.bin", vba)
    return out


def save_one_change(path: Path) -> None:
    meta, frame = read_responses(path, MINI)
    frame.loc[frame["id"] == "4.1-a", "owner"] = "Ms. Chen"
    write_responses(path, meta, frame, MINI, backup=False)
    assert read_responses(path, MINI)[1].set_index("id").at["4.1-a", "owner"] == "Ms. Chen"


def test_a_macro_enabled_workbook_named_xlsx_keeps_its_macros(tmp_path):
    path = retyped(workbook(tmp_path), tmp_path / "office.xlsx", XLSM_TYPE, VBA)
    save_one_change(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/vbaProject.bin") == VBA
        assert XLSM_TYPE in zf.read("[Content_Types].xml")
        assert b"vbaProject" in zf.read("xl/_rels/workbook.xml.rels")


def test_a_macro_enabled_action_plan_keeps_its_macros_when_re_planned(tmp_path):
    from qmskit.io.actions_xlsx import plan_file
    responses = workbook(tmp_path)
    plan = tmp_path / "plan.xlsx"
    plan_file(responses, tmp_path / "fresh.xlsx", lang="en", checklist=MINI)
    retyped(tmp_path / "fresh.xlsx", plan, XLSM_TYPE, VBA)
    plan_file(responses, plan, checklist=MINI)
    with zipfile.ZipFile(plan) as zf:
        assert zf.read("xl/vbaProject.bin") == VBA and XLSM_TYPE in zf.read("[Content_Types].xml")


def test_a_template_named_xlsx_stays_a_template(tmp_path):
    path = retyped(workbook(tmp_path), tmp_path / "office.xlsx", XLTX_TYPE)
    save_one_change(path)
    with zipfile.ZipFile(path) as zf:
        assert XLTX_TYPE in zf.read("[Content_Types].xml")


def test_images_charts_comments_validations_names_and_formats_survive(tmp_path):
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from PIL import Image as pil  # a dependency of qmskit's: without it openpyxl drops the office's images

    path = workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Assessment"]
    ws["N3"] = "office's own column"
    ws["N3"].comment = Comment("Ask the director", "QA")
    dv = DataValidation(type="list", formula1='"ok,late"')
    ws.add_data_validation(dv)
    dv.add("N4:N9")
    wb.defined_names["OfficeColumn"] = DefinedName("OfficeColumn", attr_text="Assessment!$N$3:$N$9")
    pil.new("RGB", (8, 8), "red").save(tmp_path / "logo.png")
    ws.add_image(Image(tmp_path / "logo.png"), "P2")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=3))
    ws.add_chart(chart, "R2")
    ws.conditional_formatting.add("N3:N9", CellIsRule(operator="equal", formula=['"late"'],
                                                      fill=PatternFill("solid", fgColor="FF0000")))
    wb.save(path)
    save_one_change(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Assessment"]
    assert ws["N3"].value == "office's own column" and ws["N3"].comment.text == "Ask the director"
    assert "N4:N9" in [str(d.sqref) for d in ws.data_validations.dataValidation]
    assert wb.defined_names["OfficeColumn"].attr_text == "Assessment!$N$3:$N$9"
    assert len(ws._images) == 1 and len(ws._charts) == 1
    assert [str(r.sqref) for r in ws.conditional_formatting] == ["N3:N9"]
