"""Print qmskit's HTML reports to PDF with headless Chromium (Playwright driving Debian's browser).

    print_pdfs([PdfJob(Path("r/x.en.html"), Path("r/x.en.pdf"))])   # one browser for all of them

One browser is started for all the files of a call (a batch prints every office with it), with up to
``parallel`` pages printing at the same time. Each page is A4 with backgrounds, a running header (office,
report number, firm) and a footer (the confidentiality line and "Page 3 of 12" / "第 3 页，共 3 页") on
every page. The running texts come from the report itself: its header element carries them in
a hidden ``.qr-running`` element (see :func:`qmskit.render.report.running_html`), so any qmskit HTML prints the
same way and nothing but the HTML file has to travel to the printer.

Playwright cannot download browsers here: the browser is ``/usr/bin/chromium`` (or ``QMSKIT_CHROMIUM``),
run headless, offline, with a fresh empty profile; as root it needs ``--no-sandbox``. Every request that
is not ``file:`` or ``data:`` is aborted: a report never loads anything from the network.
"""
from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from qmskit.config import DEFAULT_CHROMIUM, ENV_CHROMIUM
from qmskit.errors import PdfError
from qmskit.i18n.catalog import msg, t

CHROMIUM_ARGS = ["--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio"]
# Page box: A4 with these margins leaves 186 mm (703 CSS px) for the content; report.css's @page agrees.
MARGINS = {"top": "18mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
DEFAULT_PARALLEL = 3
PAGE_TIMEOUT_MS = 120_000

# the header/footer templates are rendered apart from the page: they need their own font and size
_FONT = ("font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'DejaVu Sans', Arial, sans-serif; "
         "font-size: 7.5pt; color: #5b6776;")


def page_of(lang: str) -> str:
    """"Page N of M" for the footer: Chromium fills in the two spans on each page."""
    return t("pdf.page_of", lang, page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>')


def chromium_path() -> Path:
    return Path(os.environ.get(ENV_CHROMIUM) or DEFAULT_CHROMIUM)


def check_available() -> Path:
    """The browser's path, or :class:`PdfError` in one line saying what is missing and how to get it."""
    exe = chromium_path()
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        raise PdfError(msg("pdf.no_chromium", exe=exe))
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        raise PdfError(msg("pdf.no_playwright")) from None
    return exe


@dataclass
class PdfJob:
    html: Path
    pdf: Path


@dataclass
class PdfOutcome:
    job: PdfJob
    ok: bool = False
    error: str | None = None
    seconds: float = 0.0
    pages: int | None = None


@dataclass
class PrintRun:
    outcomes: list[PdfOutcome] = field(default_factory=list)
    launch_seconds: float = 0.0
    seconds: float = 0.0
    parallel: int = 1

    @property
    def failed(self) -> list[PdfOutcome]:
        return [o for o in self.outcomes if not o.ok]


def header_footer(running: dict, lang: str) -> tuple[str, str]:
    """Chromium's header and footer templates from the report's running texts (all escaped here)."""
    e = lambda key: html.escape(str(running.get(key) or ""), quote=True)  # noqa: E731
    row = (f'<div style="{_FONT} box-sizing: border-box; width: 100%; padding: 0 12mm; display: flex;'
           ' justify-content: space-between; gap: 8mm;">')
    cell = 'style="overflow: hidden; white-space: nowrap; text-overflow: ellipsis;"'
    header = (f'{row}<span {cell}>{e("left")}</span><span {cell}>{e("right")}</span></div>')
    footer = (f'{row}<span {cell}>{e("confidential")}</span>'
              f'<span style="white-space: nowrap;">{page_of(lang)}</span></div>')
    if running.get("footer"):  # the brand's footer text, on a line of its own under the page number
        footer = (f'<div style="width: 100%;">{footer}<div style="{_FONT} box-sizing: border-box; width: 100%;'
                  ' padding: 1mm 12mm 0; text-align: center;'
                  f' overflow: hidden; white-space: nowrap; text-overflow: ellipsis;">{e("footer")}</div></div>')
    return header, footer


_RUNNING_JS = """() => {
    const texts = {lang: (document.documentElement.lang || 'en').slice(0, 2)};
    for (const el of document.querySelectorAll('.qr-running [data-qr-running]'))
        texts[el.getAttribute('data-qr-running')] = el.textContent;
    if (!texts.left) texts.left = document.title;
    return texts;
}"""


async def _print_one(context, job: PdfJob, sem: asyncio.Semaphore) -> PdfOutcome:
    from qmskit.io import iorw

    outcome = PdfOutcome(job)
    async with sem:
        t0 = time.perf_counter()
        page = await context.new_page()
        try:
            await page.route("**/*", _offline_route)
            await page.goto(Path(job.html).resolve().as_uri(), wait_until="load", timeout=PAGE_TIMEOUT_MS)
            await page.emulate_media(media="print")
            running = await page.evaluate(_RUNNING_JS)
            header, footer = header_footer(running, running.get("lang", "en"))
            data = await page.pdf(format="A4", print_background=True, display_header_footer=True,
                                  header_template=header, footer_template=footer, margin=MARGINS,
                                  outline=True, tagged=False)  # tagged: 3-4x the size (1.5 MB, not 0.4)
            iorw.write_bytes(job.pdf, data)
            outcome.ok, outcome.pages = True, page_count(data)
        except Exception as exc:  # one file's failure never stops the others
            outcome.error = " ".join(f"PDF of {job.html.name} failed: {type(exc).__name__}: {exc}".split())[:300]
        finally:
            await page.close()
            outcome.seconds = time.perf_counter() - t0
    return outcome


def page_count(data: bytes) -> int:
    """Pages of a PDF Chromium wrote (its page objects are uncompressed ``/Type /Page`` dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


async def _offline_route(route) -> None:
    if route.request.url.startswith(("file:", "data:")):
        await route.continue_()
    else:
        await route.abort()


async def _print_all(jobs: list[PdfJob], parallel: int, run: PrintRun) -> None:
    from playwright.async_api import async_playwright

    exe = check_available()
    args = list(CHROMIUM_ARGS) + (["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])
    profile = Path(tempfile.mkdtemp(prefix="qmskit-chromium-"))  # a new, empty user-data dir per run
    try:
        async with async_playwright() as pw:
            t0 = time.perf_counter()
            try:
                context = await pw.chromium.launch_persistent_context(
                    str(profile), executable_path=str(exe), headless=True, args=args, offline=False,
                    accept_downloads=False, java_script_enabled=True)
            except Exception as exc:
                raise PdfError(msg("pdf.no_start", exe=exe, error=" ".join(str(exc).split())[:200])) from None
            run.launch_seconds = time.perf_counter() - t0
            try:
                sem = asyncio.Semaphore(parallel)
                run.outcomes = list(await asyncio.gather(*(_print_one(context, j, sem) for j in jobs)))
            finally:
                await context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def print_pdfs(jobs: list[PdfJob], *, parallel: int = DEFAULT_PARALLEL) -> PrintRun:
    """Print every job with ONE browser, up to ``parallel`` pages at a time. Raises :class:`PdfError`
    when the browser is missing or cannot start; a single file's failure is in its outcome instead."""
    check_available()
    run = PrintRun(parallel=max(1, int(parallel)))
    if not jobs:
        return run
    t0 = time.perf_counter()
    coro = _print_all(list(jobs), run.parallel, run)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
    else:  # called from a running event loop (a Jupyter kernel): print on a thread of our own
        errors: list[BaseException] = []

        def target():
            try:
                asyncio.run(coro)
            except BaseException as exc:  # re-raised in the caller's thread
                errors.append(exc)

        worker = threading.Thread(target=target, name="qmskit-pdf")
        worker.start()
        worker.join()
        if errors:
            raise errors[0]
    run.seconds = time.perf_counter() - t0
    return run


def print_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike | None = None) -> Path:
    """One HTML file to PDF (beside it by default); raises :class:`PdfError` with one line on failure."""
    html_path = Path(html_path)
    job = PdfJob(html_path, Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf"))
    run = print_pdfs([job], parallel=1)
    if run.failed:
        raise PdfError(run.failed[0].error or msg("pdf.failed"), path=html_path)
    return job.pdf
