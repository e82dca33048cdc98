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

Printing is bounded in time: each file gets :func:`print_timeout` seconds to load and print (a base plus a
share per megabyte of HTML, or ``$QMSKIT_PDF_TIMEOUT``). A file that runs over fails alone, in one line that
names the HTML (which is kept) and what to do; its page is closed, which ends the renderer printing it, and
when the run is over whatever is left of the browser's process group (zygotes, renderers) is killed.
"""
from __future__ import annotations

import asyncio
import html
import math
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from qmskit.config import (
    DEFAULT_CHROMIUM,
    ENV_CHROMIUM,
    ENV_PDF_TIMEOUT,
    PDF_TIMEOUT_BASE,
    PDF_TIMEOUT_MAX,
    PDF_TIMEOUT_PER_MB,
)
from qmskit.errors import PdfError
from qmskit.i18n.catalog import msg, t

CHROMIUM_ARGS = ["--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio"]
# Page box: A4 with these margins leaves 186 mm (703 CSS px) for the content; report.css's @page agrees.
MARGINS = {"top": "18mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
DEFAULT_PARALLEL = 3
CLOSE_TIMEOUT = 15  # seconds for a page or the browser to close before it is killed

# the header/footer templates are rendered apart from the page: they need their own font and size
_FONT = ("font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'DejaVu Sans', Arial, sans-serif; "
         "font-size: 7.5pt; color: #5b6776;")


def page_of(lang: str) -> str:
    """"Page N of M" for the footer: Chromium fills in the two spans on each page."""
    return t("pdf.page_of", lang, page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>')


def chromium_path() -> Path:
    return Path(os.environ.get(ENV_CHROMIUM) or DEFAULT_CHROMIUM)


def print_timeout(html_path: str | os.PathLike | None = None) -> float:
    """Seconds one file may take to load and print: ``$QMSKIT_PDF_TIMEOUT`` when set (a number > 0, else
    :class:`PdfError`), otherwise ``PDF_TIMEOUT_BASE`` plus ``PDF_TIMEOUT_PER_MB`` per megabyte of the HTML
    (printing time grows with the pages, and the pages with the HTML), at most ``PDF_TIMEOUT_MAX``."""
    raw = os.environ.get(ENV_PDF_TIMEOUT, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise PdfError(msg("pdf.bad_timeout", env=ENV_PDF_TIMEOUT, value=raw[:40]))
        return value
    try:
        size = os.stat(html_path).st_size if html_path is not None else 0
    except OSError:
        size = 0
    return min(PDF_TIMEOUT_MAX, PDF_TIMEOUT_BASE + PDF_TIMEOUT_PER_MB * size / 1_000_000)


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:g}"


def check_available() -> Path:
    """The browser's path, or :class:`PdfError` in one line saying what is missing and how to get it (a
    bad ``$QMSKIT_PDF_TIMEOUT`` too: all before any report is made)."""
    print_timeout()
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
    label: Path | None = None      # the HTML file a failure names (the batch prints from a staged copy)
    timeout: float | None = None   # seconds to load and print; None: print_timeout(html)

    @property
    def shown(self) -> Path:
        return self.label or self.html


@dataclass
class PdfOutcome:
    job: PdfJob
    ok: bool = False
    error: str | None = None       # the whole line: the HTML file and what went wrong (a catalog Message)
    detail: str | None = None      # what went wrong, without the file (PdfError(detail, path=...))
    seconds: float = 0.0
    pages: int | None = None
    timed_out: bool = False

    def fail(self, detail: str) -> None:
        self.detail = detail
        self.error = msg("errors.file", path=self.job.shown, detail=detail)


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
    outcome = PdfOutcome(job)
    async with sem:
        t0 = time.perf_counter()
        limit = job.timeout if job.timeout is not None else print_timeout(job.html)
        page = await context.new_page()
        try:
            data = await asyncio.wait_for(_load_and_print(page, job, limit), limit)
            _write_pdf(job.pdf, data)
            outcome.ok, outcome.pages = True, page_count(data)
        except Exception as exc:  # one file's failure never stops the others
            if isinstance(exc, TimeoutError) or type(exc).__name__ == "TimeoutError":  # ours, or Playwright's
                outcome.timed_out = True
                outcome.fail(msg("pdf.timeout", seconds=_seconds(limit), env=ENV_PDF_TIMEOUT))
            else:
                outcome.fail(msg("pdf.print_failed", error=" ".join(f"{type(exc).__name__}: {exc}".split())[:200]))
        finally:
            # closing the page ends its renderer, even one still busy printing
            try:
                await asyncio.wait_for(page.close(), CLOSE_TIMEOUT)
            except Exception:
                pass
            outcome.seconds = time.perf_counter() - t0
    return outcome


async def _load_and_print(page, job: PdfJob, limit: float) -> bytes:
    await page.route("**/*", _offline_route)
    await page.goto(Path(job.html).resolve().as_uri(), wait_until="load", timeout=limit * 1000)
    await page.emulate_media(media="print")
    running = await page.evaluate(_RUNNING_JS)
    header, footer = header_footer(running, running.get("lang", "en"))
    return await page.pdf(format="A4", print_background=True, display_header_footer=True,
                          header_template=header, footer_template=footer, margin=MARGINS,
                          outline=True, tagged=False)  # tagged: 3-4x the size (1.5 MB, not 0.4)


def _write_pdf(path: Path, data: bytes) -> None:
    from qmskit.io import iorw
    iorw.write_bytes(path, data)


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
    groups: set[int] = set()
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
            groups = browser_groups(profile)
            try:
                sem = asyncio.Semaphore(parallel)
                run.outcomes = list(await asyncio.gather(*(_print_one(context, j, sem) for j in jobs)))
            finally:
                try:
                    await asyncio.wait_for(context.close(), CLOSE_TIMEOUT)
                except Exception:
                    pass
    finally:
        end_groups(groups)
        shutil.rmtree(profile, ignore_errors=True)


def browser_groups(profile: Path) -> set[int]:
    """The process groups of the browser started with ``profile`` as its user-data dir: Playwright starts
    Chromium in a group of its own, which its zygotes and renderers join. Found by the profile (unique to
    this run) among this process's descendants, so nothing else is ever named; empty where /proc is not."""
    mark = f"--user-data-dir={profile}".encode()
    children: dict[int, list[int]] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return set()
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    groups, todo = set(), list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
            if mark in argv and os.getpgid(pid) == pid:  # the browser itself, leader of its group
                groups.add(pid)
        except OSError:
            continue
    return groups


def end_groups(groups: set[int]) -> None:
    """Kill what is left of the browser's process groups (nothing, after a clean close)."""
    import signal
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


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


def print_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike | None = None, *,
              timeout: float | None = None) -> Path:
    """One HTML file to PDF (beside it by default); raises :class:`PdfError` with one line naming the HTML
    file on failure (the HTML is left as it is). ``timeout``: seconds, default :func:`print_timeout`."""
    html_path = Path(html_path)
    job = PdfJob(html_path, Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf"), timeout=timeout)
    run = print_pdfs([job], parallel=1)
    if run.failed:
        raise PdfError(run.failed[0].detail or msg("pdf.failed"), path=html_path)
    return job.pdf
