"""The shortcuts of qmskit.jupyter.notebook change nothing a user gets.

- the report exporter skips two of nbconvert's deep copies and its normalisation: the page is byte for
  byte what nbconvert's own preprocessing gives;
- parameterize records the notebook's path as papermill's ``input_path`` (papermill, handed a node,
  recorded the whole notebook there);
- the report notebook is read once per process while the file stays the same;
- the embedded stylesheet is parsed once, yet every page keeps exactly the rules its own classes use;
- prepare_export (a throwaway page rendered while the kernel runs) leaves the real page as it was.
"""
from __future__ import annotations

import copy
import json
import os

import pytest

from qmskit.jupyter import notebook


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A real report notebook, executed on a real kernel (one office of the examples)."""
    from pathlib import Path

    from qmskit.jupyter.warmkernel import WarmKernel

    example = sorted((Path(__file__).resolve().parents[2] / "examples" / "offices").glob("*.xlsx"))[0]
    params = {"responses": str(example), "checklist": None, "lang": "en", "title": None, "brand": None,
              "audience": "internal", "report_seq": 1, "out_dir": str(tmp_path_factory.mktemp("out"))}
    with WarmKernel() as kernel:
        return kernel.execute_notebook(str(notebook.bundled_notebook("report")), params)


@pytest.mark.slow
def test_export_is_what_nbconvert_preprocessing_gives(executed):
    from nbconvert.exporters.exporter import Exporter

    before = copy.deepcopy(executed)
    ours = notebook.export_html(executed, lang="en", title="T")
    assert executed == before  # the caller's notebook is not touched

    exporter = notebook._exporter(notebook.TEMPLATE, "en")
    cls = type(exporter)
    try:  # the same exporter with nbconvert's own _preprocess (deep copies, normalize) put back
        cls._preprocess = Exporter._preprocess  # type: ignore[method-assign]
        stock = notebook.export_html(executed, lang="en", title="T")
    finally:
        del cls._preprocess
    assert ours == stock
    assert "<title>T</title>" in ours and "qr-page" in ours


@pytest.mark.slow
def test_executed_notebook_names_its_input_path(executed):
    papermill_meta = executed.metadata.papermill
    assert papermill_meta.input_path == str(notebook.bundled_notebook("report"))
    assert papermill_meta.output_path is None
    assert len(json.dumps(dict(papermill_meta), default=str)) < 5000  # no notebook inside its own metadata


def test_parameterize_records_the_path_not_the_node():
    path = notebook.bundled_notebook("report")
    nb = notebook.parameterize(path, {"responses": "x.xlsx", "lang": "en"})
    assert nb.metadata.papermill.input_path == str(path)
    node = notebook.parameterize(notebook.load(path), {"responses": "x.xlsx", "lang": "en"})
    assert node.metadata.papermill.input_path is None
    assert [c.source for c in node.cells] == [c.source for c in nb.cells]


def test_a_notebook_file_is_read_again_only_when_it_changes(tmp_path):
    from qmskit.jupyter._nbformat import nbformat

    path = tmp_path / "n.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1")]), str(path))
    first = notebook.load(path)
    first.cells[0].source = "changed by the caller"  # a copy: the cached one stays as read
    assert notebook.load(path).cells[0].source == "a = 1"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("b = 22")]), str(path))
    os.utime(path, ns=(1, 1))  # another modification time, whatever the clock's resolution
    assert notebook.load(path).cells[0].source == "b = 22"


def test_each_page_keeps_its_own_rules_from_a_stylesheet_parsed_once():
    css = (":root {--qr-a: red; --qr-b: blue; color: black;}\n.a, .a .x {color: var(--qr-a)}\n"
           ".b {color: var(--qr-b)}\np {margin: 0}\n@media print {.b {display: none} .a {color: black}}\n"
           "@page {size: A4}")

    def page(cls: str) -> str:
        return f'<html><style type="text/css">\n{css}</style><body><p class="{cls}">x</p></body></html>'

    notebook._parsed_stylesheet.cache_clear()
    first_a = notebook.unused_css_removed(page("a x"))
    b = notebook.unused_css_removed(page("b"))
    assert notebook.unused_css_removed(page("a x")) == first_a  # the cache holds the sheet, not a page's choice
    assert notebook._parsed_stylesheet.cache_info().misses == 1
    style_a = first_a.split("<style", 1)[1].split("</style>")[0]
    style_b = b.split("<style", 1)[1].split("</style>")[0]
    # kept rules as the page embeds them: minified (notebook.minified_css), a custom property that only
    # :root sets written as its value (notebook._constant_properties)
    assert ".a,.a .x{color:red}" in style_a and ".b{" not in style_a
    assert ".b{color:blue}" in style_b and ".a" not in style_b  # and ".a .x" needs both classes
    assert ":root{color:black}" in style_a and "--qr-" not in style_a and "--qr-" not in style_b
    assert "@media print{.a{color:black}}" in style_a and "@media print{.b{display:none}}" in style_b
    assert "p{margin:0}" in style_a and "@page{size:A4}" in style_b  # never dropped


def test_a_custom_property_set_anywhere_else_stays_a_property():
    """Only a property that :root alone sets, once and to a plain value, becomes a constant: one the page
    sets again (a brand's accent in its own <style>, a cell's style), one a media query or another rule
    sets, or one whose value reads another property stays a var() with its declaration."""
    css = (":root {--qr-a: red; --qr-b: blue; --qr-c: green; --qr-d: var(--qr-a); --qr-e: gray}\n"
           ".a {color: var(--qr-a); border-color: var(--qr-b); background: var(--qr-c); outline-color: var(--qr-d);"
           " caret-color: var(--qr-e)}\n@media print {:root {--qr-c: black}}\n.x {--qr-e: white}")

    def page(extra: str) -> str:
        return f'<html><style type="text/css">\n{css}</style><body>{extra}<p class="a x">x</p></body></html>'

    style = notebook.unused_css_removed(page("<style>:root { --qr-b: navy; }</style>"))
    style = style.split("<style", 1)[1].split("</style>")[0]
    assert ".a{color:red;" in style and "--qr-a" not in style  # a constant (in --qr-d's value too)
    assert "border-color:var(--qr-b)" in style and "--qr-b:blue" in style  # the page sets it again
    assert "background:var(--qr-c)" in style and "--qr-c:green" in style and "--qr-c:black" in style  # print too
    assert "outline-color:var(--qr-d)" in style and "--qr-d:red" in style  # its value reads another
    assert "caret-color:var(--qr-e)" in style and "--qr-e:gray" in style and "--qr-e:white" in style


def test_the_embedded_stylesheet_is_minified_but_its_strings_and_combinators_kept():
    css = ('a , b {color: red ;  content: ", " attr(x) " <";}\n@media print {\n  x > y { a: b  !important; }\n}\n'
           'td:has(> .q) {p: 1px 2px;}\n.qr-prose a::after { content: " <" attr(href) ">"; }')
    assert notebook.minified_css(css) == ('a,b{color:red;content:", " attr(x) " <"}@media print{x > y{a:b!important}}'
                                          'td:has(> .q){p:1px 2px}.qr-prose a::after{content:" <" attr(href) ">"}')


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_prepare_export_warms_up_without_changing_the_page(executed, lang):
    """prepare_export renders a one-output page first (templates compiled, stylesheet parsed): the real
    page exported after it, in a thread that never exported before, is the page exported without it."""
    import threading

    pages: dict[str, str] = {}

    def export(prepared: bool) -> None:
        if prepared:
            notebook.prepare_export(lang)
        pages[str(prepared)] = notebook.export_html(executed, lang=lang, title="T")

    for prepared in (False, True):  # each in a new thread: a new exporter (they are per thread)
        thread = threading.Thread(target=export, args=(prepared,))
        thread.start()
        thread.join()
    assert pages["True"] == pages["False"]
    assert f'lang="{lang}"' in pages["True"] and "qr-section" in pages["True"]
