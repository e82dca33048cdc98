"""The one place notebooks are executed (papermill) and exported to HTML (nbconvert).

Three steps, usable apart so that other engines (e.g. warm kernels in batch) can reuse them:

- :func:`parameterize` loads a notebook and injects parameters the papermill way (an
  ``injected-parameters`` cell after the cell tagged ``parameters``, plus papermill's metadata);
- :func:`execute` runs an already-parameterized notebook with papermill's engine; :func:`check_errors`
  turns the first error output of an executed notebook into a one-line :class:`NotebookError`
  (call it after executing with any other client);
- :func:`export_html` renders an executed notebook without inputs or prompts with the
  ``qmskit_report`` template (no scripts, no CDN, CSS inline, images embedded).

:func:`execute_notebook` chains the first two. Warm kernels (:mod:`qmskit.jupyter.warmkernel`) build
on these; this module never imports that one.
"""
from __future__ import annotations

import copy
import functools
import os
import re
import threading
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from qmskit.config import CELL_TIMEOUT
from qmskit.errors import NotebookError
from qmskit.i18n.catalog import msg
from qmskit.io import iorw

TEMPLATE = "qmskit_report"
DEFAULT_TIMEOUT = CELL_TIMEOUT
# the kernel's own log (e.g. ipykernel's "running over TCP" notice, a KeyboardInterrupt at shutdown) is not
# for users of a command-line tool; a kernel that dies still surfaces as an error
KERNEL_ARGS = ("--IPKernelApp.log_level=CRITICAL",)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

if TYPE_CHECKING:
    from nbformat import NotebookNode


def _nbformat() -> ModuleType:
    """nbformat, imported on first use and through qmskit.jupyter._nbformat (so before papermill, nbclient
    or nbconvert import it). Not at import: a batch's parent process only asks this module where the
    bundled notebooks are, and nbformat with jsonschema cost it ~0.3 s of CPU before its workers start."""
    from qmskit.jupyter._nbformat import nbformat
    return nbformat


def bundled_notebook(name: str = "report") -> Path:
    """Path of a notebook shipped with the package (``notebooks/<name>.ipynb`` in the repo)."""
    return Path(str(resources.files("qmskit.notebooks"))) / f"{name}.ipynb"


def templates_dir() -> Path:
    return Path(str(resources.files("qmskit.render.templates")))


# notebooks read from files, by (path, mtime, size): a batch parameterizes the same report notebook for
# every office, and reading it (JSON, then nbformat's validation) cost more than the deep copy handed out
_READ: dict[tuple[str, int, int], NotebookNode] = {}


def load(notebook: str | os.PathLike | NotebookNode) -> NotebookNode:
    """A notebook from a path, or a deep copy of a node (the caller's node is never modified). A file
    is read once per process while it stays the same (same modification time and size)."""
    nbformat = _nbformat()
    if isinstance(notebook, nbformat.NotebookNode):
        return copy.deepcopy(notebook)
    try:
        st = os.stat(notebook)
        key = (os.path.abspath(notebook), st.st_mtime_ns, st.st_size)
        if key not in _READ:
            if len(_READ) >= 16:  # a long-lived process that reads many notebooks keeps only the latest
                _READ.clear()
            _READ[key] = nbformat.read(str(notebook), as_version=4)
        return copy.deepcopy(_READ[key])
    except FileNotFoundError:
        raise NotebookError(msg("notebook.not_found"), path=notebook) from None
    except Exception as exc:  # nbformat raises several kinds for a malformed file
        raise NotebookError(msg("notebook.unreadable", kind=type(exc).__name__), path=notebook) from None


def parameterize(notebook: str | os.PathLike | NotebookNode, parameters: dict, *,
                 kernel_name: str = "python3") -> NotebookNode:
    """Inject ``parameters`` exactly as ``papermill.execute_notebook`` does, without executing.

    Through papermill's public API (``prepare_only=True``), so the node is the one papermill would run:
    its metadata, the injected-parameters cell, error markers cleared. Nothing is written. Its
    ``metadata.papermill.input_path`` is the notebook's path, as the papermill command records it
    (papermill, handed a node, records the node itself there: the whole notebook inside its metadata).
    """
    nb = load(notebook)  # qmskit's bounded, one-line-error reading (imports nbformat first)
    import papermill

    nb = papermill.execute_notebook(nb, None, parameters=dict(parameters), prepare_only=True,
                                    kernel_name=kernel_name, language="python", progress_bar=False,
                                    log_output=False)
    nb.metadata.papermill["input_path"] = None if isinstance(notebook, _nbformat().NotebookNode) else str(notebook)
    return nb


def execute(nb: NotebookNode, *, kernel_name: str = "python3", cwd: str | os.PathLike | None = None,
            timeout: float | None = DEFAULT_TIMEOUT, office: str | None = None) -> NotebookNode:
    """Execute an already-parameterized notebook in a fresh kernel (papermill's engine).

    Raises :class:`NotebookError` (one line, naming ``office`` and the failing cell's error).
    Pass absolute paths in the parameters rather than ``cwd`` when calling from threads:
    papermill changes the process-wide working directory.
    """
    _nbformat()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    input_path = nb.metadata.get("papermill", {}).get("input_path")
    try:
        executed = papermill.execute_notebook(
            nb, None, parameters=None, kernel_name=kernel_name, language="python", progress_bar=False,
            log_output=False, cwd=None if cwd is None else str(cwd), execution_timeout=timeout,
            request_save_on_cell_execute=False, extra_arguments=list(KERNEL_ARGS))
        executed.metadata.papermill["input_path"] = input_path  # the path parameterize() recorded, not the node
        return executed
    except PapermillExecutionError as exc:
        raise notebook_error(office, exc.ename, exc.evalue, exc.exec_count) from None
    except Exception as exc:  # kernel died, timed out, could not start: still one line
        if isinstance(exc, NotebookError):
            raise
        raise notebook_error(office, type(exc).__name__, str(exc)) from None


def notebook_error(office: str | None, ename: str, evalue: str, cell: int | None = None) -> NotebookError:
    """The one-line error for a failed notebook: ``report for 'X' failed in cell 3: ValueError: ...``."""
    text = " ".join(_ANSI.sub("", str(evalue or "")).split())
    where = msg("notebook.in_cell", cell=cell) if cell is not None else ""
    who = msg("notebook.report_for", office=office) if office else msg("notebook.report_notebook")
    return NotebookError(msg("notebook.failed", who=who, where=where, error=f"{ename}: {text}" if text else ename))


def check_errors(nb: NotebookNode, *, office: str | None = None) -> None:
    """Raise :class:`NotebookError` for the first error output of an executed notebook, if any."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "SystemExit" and output.get("evalue") in ("", "0"):
                    continue
                raise notebook_error(office, output.get("ename", "Error"), output.get("evalue", ""),
                                     cell.get("execution_count"))


def execute_notebook(notebook: str | os.PathLike | NotebookNode, parameters: dict, *,
                     kernel_name: str = "python3", cwd: str | os.PathLike | None = None,
                     output_path: str | os.PathLike | None = None, office: str | None = None,
                     timeout: float | None = DEFAULT_TIMEOUT) -> NotebookNode:
    """Parameterize and execute a notebook; optionally write the executed notebook atomically."""
    nb = parameterize(notebook, parameters, kernel_name=kernel_name)
    nb = execute(nb, kernel_name=kernel_name, cwd=cwd, timeout=timeout, office=office)
    if output_path is not None:
        write_notebook(nb, output_path)
    return nb


def write_notebook(nb: NotebookNode, path: str | os.PathLike) -> Path:
    return iorw.write_text(path, _nbformat().writes(nb))


_local = threading.local()  # an exporter per thread and template: building one parses the templates


def _exporter_class():
    _nbformat()
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportHTMLExporter(HTMLExporter):
        """nbconvert's HTMLExporter without its BeautifulSoup pass.

        ``HTMLExporter.from_notebook_node`` renders the template, then re-parses the whole page with
        BeautifulSoup only to add ``alt`` to images that lack one and ``tabindex`` to input and output
        wrappers: about 0.3 s of a report's 0.37 s export. Every image qmskit emits has its ``alt`` (charts
        are inline SVG with a title), and a report has no focusable cells, so the page is the template's
        output as rendered. The filters the parent registers first are registered here the same way."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            self.register_filter("compact_css", compact_css)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return unused_css_removed(html), resources

        def _preprocess(self, nb, resources):
            """nbconvert's preprocessing less two of its three deep copies of the notebook (each ~5-8 ms
            for a full report): what arrives here is already the exporter's own copy (made by
            ``Exporter.from_notebook_node``), and ``nbformat.validator.normalize`` (a copy again) changes
            nothing in a notebook that papermill and nbclient just wrote. The one validation after the
            preprocessors (optimistic_validation) still checks it; the preprocessors run as in nbconvert."""
            resources = copy.deepcopy(resources)
            preprocessor = None
            for preprocessor in self._preprocessors:
                nb, resources = preprocessor(nb, resources)
            self._validate_preprocessor(nb, preprocessor)
            return nb, resources

    return ReportHTMLExporter


def compact_css(css: str) -> str:
    """A stylesheet as a page embeds it: without its comments (they are for whoever edits report.css) and
    indentation. Every report carries the whole sheet, so this is ~2 KB of each page."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return "\n".join(line.strip() for line in css.splitlines() if line.strip())


_PAGE_STYLE = re.compile(r'(<style type="text/css">\n)(.*?)(</style>)', re.S)


def unused_css_removed(page: str) -> str:
    """The page with its embedded stylesheet cut to the rules the page can use.

    One report.css serves the office report, the comparison and the portfolio; each page carries only the
    selectors whose classes all occur in its markup (a page runs no script, so its classes are all in it),
    and only the custom properties (``--qr-…``) that a kept rule or the page reads. Conservative: a
    selector is dropped only for a class the page lacks; element, id, attribute and pseudo-class parts
    never drop one. Parsed with tinycss2 (nbconvert's own CSS parser, through bleach), once per stylesheet
    (:func:`_parsed_stylesheet`): every page of a batch embeds the same one."""
    match = next((m for m in _PAGE_STYLE.finditer(page) if "--qr-" in m.group(2)), None)
    if match is None:  # not a page with report.css
        return page
    rest = page[:match.start()] + page[match.end():]
    classes = {c for value in re.findall(r'\bclass="([^"]*)"', rest) for c in value.split()}

    def rules(items: tuple) -> list[str]:
        out = []
        for item in items:
            if item[0] == "rule":
                _, selectors, body = item
                kept = [text for text, needs in selectors if needs <= classes]
                if kept:
                    out.append(f"{','.join(kept)} {{{body}}}")
            elif item[0] == "media":
                inner = rules(item[2])
                if inner:
                    out.append(f"@media {item[1]} {{\n" + "\n".join(inner) + "\n}")
            else:
                out.append(item[1])
        return out

    kept = rules(_parsed_stylesheet(match.group(2)))
    used = set(re.findall(r"var\((--[\w-]+)", "\n".join(kept) + rest))
    constants = _constant_properties(match.group(2), rest)

    def root_trimmed(rule: str) -> str:
        if not rule.startswith(":root "):
            return rule
        body = " ".join(f"{name}:{value};" for name, value in _declarations(rule[rule.index("{") + 1:-1])
                        if not name.startswith("--") or (name in used and name not in constants))
        return f":root {{{body}}}" if body else ""  # every property a constant: no rule left

    def inlined(rule: str) -> str:
        return _VAR.sub(lambda m: constants.get(m.group(1), m.group(0)), rule) if "var(" in rule else rule

    css = minified_css("\n".join(inlined(trimmed) for rule in kept if (trimmed := root_trimmed(rule))))
    return page[:match.start()] + match.group(1) + css + "\n" + match.group(3) + page[match.end():]


_VAR = re.compile(r"var\((--[\w-]+)\)")
_PROPERTY = re.compile(r"(--[\w-]+)\s*:")


def _constant_properties(css: str, rest: str) -> dict[str, str]:
    """The custom properties a page can take as constants, by name: each set once in its stylesheet (in
    ``:root``, to a value without ``var()``) and nowhere in the rest of the page (a brand's accent is set
    again in the page; ``--w`` in a cell). Their uses are written as the value itself and their
    declarations left out: ``var(--qr-sev-major-soft)`` is 24 bytes, ``#fbe3e1`` 7 (~1.5 KB a report)."""
    overridden = set(_PROPERTY.findall(rest))
    return {name: value for name, value in _stylesheet_properties(css).items()
            if name not in overridden and value is not None}


@functools.lru_cache(maxsize=8)
def _stylesheet_properties(css: str) -> dict[str, str | None]:
    """Each custom property of a stylesheet: its value where ``:root`` alone sets it, once and without
    ``var()``; None where anything else sets it (another rule, a media query, a second time)."""
    out: dict[str, str | None] = {}
    counts: dict[str, int] = {}
    for name in _PROPERTY.findall(re.sub(r"var\(--[\w-]+", "", css)):
        counts[name] = counts.get(name, 0) + 1

    def walk(items: tuple) -> None:
        for item in items:
            if item[0] == "media":
                walk(item[2])
            elif item[0] == "rule":
                at_root = [text for text, _ in item[1]] == [":root"]
                for name, value in _declarations(item[2]):
                    if name.startswith("--"):
                        constant = at_root and counts.get(name) == 1 and "var(" not in value
                        out[name] = value if constant and name not in out else None

    walk(_parsed_stylesheet(css))
    return out


@functools.lru_cache(maxsize=8)
def _parsed_stylesheet(css: str) -> tuple:
    """A stylesheet as :func:`unused_css_removed` filters it, parsed once: ("rule", ((selector text,
    classes it needs), ...), body text), ("media", prelude text, (items...)) or ("at", text) per rule.
    Tokenising report.css took ~0.05 s of every page's export."""
    import tinycss2

    def needs(tokens: list) -> frozenset[str]:
        return frozenset(token.value for before, token in zip(tokens, tokens[1:])
                         if before.type == "literal" and before.value == "." and token.type == "ident")

    def items(nodes: list) -> tuple:
        out: list[tuple] = []
        for rule in nodes:
            if rule.type == "qualified-rule":
                selectors: list[list] = [[]]
                for token in rule.prelude:
                    if token.type == "literal" and token.value == ",":
                        selectors.append([])
                    else:
                        selectors[-1].append(token)
                out.append(("rule", tuple((tinycss2.serialize(sel).strip(), needs(sel)) for sel in selectors),
                            tinycss2.serialize(rule.content).strip()))
            elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None:
                out.append(("media", tinycss2.serialize(rule.prelude).strip(),
                            items(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))))
            elif rule.type == "at-rule":
                out.append(("at", tinycss2.serialize([rule]).strip()))
        return tuple(out)

    return items(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


@functools.lru_cache(maxsize=64)
def _declarations(block: str) -> tuple[tuple[str, str], ...]:
    """(name, value) of each declaration in a rule's body (parsed once per distinct body)."""
    import tinycss2

    return tuple((d.name, tinycss2.serialize(d.value).strip())
                 for d in tinycss2.parse_declaration_list(block, skip_comments=True, skip_whitespace=True)
                 if d.type == "declaration")


_CSS_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")


@functools.lru_cache(maxsize=64)
def minified_css(css: str) -> str:
    """A stylesheet without the whitespace no rule needs: runs of it become one space, none is left beside
    ``{ } ; , :`` or before ``!``, and a block's last ``;`` goes. Strings (``content: ", "``) are kept as
    written. (The page carries its stylesheet; ~1 KB of a report is such whitespace.)"""
    out, end = [], 0
    for m in [*_CSS_STRING.finditer(css), None]:
        code = css[end:m.start() if m else len(css)]
        code = re.sub(r"\s+", " ", code)
        code = re.sub(r" ?([{};,]) ?", r"\1", code)
        code = re.sub(r": ", ":", code)
        code = code.replace(" !", "!").replace(";}", "}")
        out.append(code)
        if m:
            out.append(m.group(0))
            end = m.end()
    return "".join(out).strip()


def _exporter(template: str, lang: str):
    from traitlets.config import Config

    key = (template, lang)
    cache = _local.__dict__.setdefault("exporters", {})
    if key not in cache:
        # no Pygments stylesheet: reports show no code (exclude_input), it was 4.6 KB of unused CSS
        # optimistic_validation: the notebook is validated once after all the preprocessors, not after each
        # of them (nbconvert's own option; each validation walks every output: ~half of an export)
        config = Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}, "Exporter": {"optimistic_validation": True}})
        cache[key] = _exporter_class()(
            config=config, template_name=template, extra_template_basedirs=[str(templates_dir())],
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
            embed_images=True, sanitize_html=False, language_code=lang)
    return cache[key]


def prepare_export(lang: str = "en", template: str = TEMPLATE) -> None:
    """Build this thread's exporter now and export a one-output page with it, e.g. while a kernel runs:
    nbconvert is imported, jinja compiles the templates (it compiles each on its first render, ~0.2 s of
    CPU for the report's ten) and report.css is parsed (:func:`_parsed_stylesheet`), so exporting the real
    page afterwards costs only its own rendering."""
    nbf = _nbformat()
    output = nbf.v4.new_output("display_data", data={"text/html": '<section class="qr-section"></section>'})
    export_html(nbf.v4.new_notebook(cells=[nbf.v4.new_code_cell("", outputs=[output])]), template=template, lang=lang)


def export_html(nb: NotebookNode, *, template: str = TEMPLATE, title: str | None = None,
                lang: str | None = None) -> str:
    """HTML of an executed notebook: no inputs, no prompts, the qmskit template, everything inline.

    ``title`` goes into ``<title>`` (escaped by the template); ``lang`` into ``<html lang>`` (so
    browsers pick the right CJK glyphs). Both default to the notebook's papermill parameters.
    """
    params = nb.get("metadata", {}).get("papermill", {}).get("parameters", {})
    lang = lang or params.get("lang") or "en"
    nb = copy.copy(nb)
    nb.metadata = copy.deepcopy(nb.metadata)
    nb.metadata["title"] = title or params.get("title") or "qmskit report"
    html, _ = _exporter(template, lang).from_notebook_node(nb)
    return html
