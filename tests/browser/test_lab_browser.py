"""End to end: JupyterLab on a free localhost port, assess.ipynb in headless Chromium, Run All, click answers,
check the responses file on disk and the live header; screenshots in English and Chinese; clean shutdown."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qmskit.io.responses import read_responses

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
JUPYTER = Path(sys.executable).with_name("jupyter")
SCREENSHOTS = os.environ.get("QMSKIT_SCREENSHOTS")  # a folder to keep the screenshots in (optional)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, token: str, path: str, method: str = "GET"):
    req = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def kernel_processes(runtime: Path) -> list[int]:
    """Pids whose command line mentions our private runtime folder (the kernels' connection files)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(runtime) in cmd and "ipykernel" in cmd:
                pids.append(int(proc.name))
    return pids


@pytest.fixture()
def lab(tmp_path):
    """A JupyterLab server on a copy of notebooks/, private config/runtime folders, shut down cleanly."""
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / "assess.ipynb", root / "assess.ipynb")
    runtime = tmp_path / "runtime"
    token, port = os.urandom(12).hex(), free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "PATH": f"{JUPYTER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    # Offline and unattended: no news fetch (and its prompt), the notebook's kernel starts without asking.
    for plugin, settings in {"apputils-extension/notification": {"fetchNews": "false"},
                             "notebook-extension/tracker": {"autoStartDefaultKernel": True}}.items():
        target = tmp_path / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings), encoding="utf-8")
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
         "--LabApp.extension_manager=readonly"] + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a bound on waiting (it took over 30 s at load 18), not a speed claim
        while True:
            try:
                api(base, token, "/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        yield {"base": base, "token": token, "root": root, "runtime": runtime, "proc": proc}
    finally:
        try:  # kernels first (their atexit flush runs), then the server
            for kernel in api(base, token, "/api/kernels") or []:
                api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")
            api(base, token, "/api/shutdown", method="POST")
            proc.wait(timeout=20)
        except Exception:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
        finally:
            log.close()
        deadline = time.monotonic() + 10
        while kernel_processes(runtime) and time.monotonic() < deadline:
            time.sleep(0.2)
        orphans = kernel_processes(runtime)
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)
        assert not orphans, f"orphaned kernel processes after shutdown: {orphans}"


def shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    form = page.locator(".qr-form")
    if form.count():
        form.evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(path), full_page=False)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SCREENSHOTS) / name)
    return path


def test_assess_notebook_in_jupyterlab(chromium, lab, tmp_path):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{lab['base']}/lab/tree/assess.ipynb?token={lab['token']}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", state="visible", timeout=45_000)
        # the kernel is up when the status bar names it and says Idle (the toolbar indicator says "idle"
        # even before a kernel exists, and Run All then silently runs nothing)
        page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"^Python 3.*\| Idle$")).wait_for(timeout=45_000)
        # Run > Run All Cells (as JupyterLab's own galata helpers do)
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        header = page.locator(".qr-form .qr-form-score")
        kernel_dialog = page.locator(".jp-Dialog .jp-mod-accept")
        page.locator(".qr-form .qr-form-score, .jp-Dialog .jp-mod-accept").first.wait_for(timeout=45_000)
        if kernel_dialog.count():  # older settings: "Select Kernel" still asks once
            kernel_dialog.click()
        header.wait_for(state="visible", timeout=45_000)
        overall = page.locator(".qr-form [data-field='overall']")
        assert overall.inner_text() == "n/a"  # a new office: nothing answered yet
        responses = lab["root"] / "responses" / "my-office.xlsx"
        assert responses.exists(), "the form creates the office's responses file when it opens"

        cards = page.locator(".qr-form-question")
        cards.first.wait_for(state="visible")
        first = cards.nth(0)
        first.locator(".widget-toggle-button", has_text=re.compile(r"^yes$")).click()
        cards.nth(1).locator(".widget-toggle-button", has_text=re.compile(r"^partial$")).click()
        first.locator("textarea").first.fill("Context analysis 2026, signed by the director")
        page.wait_for_function(
            "() => document.querySelector(\".qr-form [data-field='overall']\").textContent !== 'n/a'")
        assert overall.inner_text() != "n/a"
        page.locator(".qr-form-status[data-status='saved']").wait_for(timeout=15_000)

        deadline = time.monotonic() + 10
        while True:  # the autosave lands within a second of the last edit
            got = read_responses(responses)[1].set_index("id")
            answered = got["answer"].dropna()
            if len(answered) == 2 and "signed" in (got["evidence"].iloc[0] or ""):
                break
            assert time.monotonic() < deadline, f"responses file not updated: {answered.to_dict()}"
            time.sleep(0.2)
        assert list(answered) == ["yes", "partial"]
        assert responses.with_name("my-office.xlsx.bak").exists()
        shot(page, tmp_path, "assess-en.png")

        page.locator(".qr-form .widget-toggle-button", has_text=re.compile(r"^中文$")).click()
        page.locator(".qr-form .qr-form-score", has_text="完成度").wait_for()
        cards.nth(2).locator(".widget-toggle-button", has_text=re.compile(r"^否$")).click()
        deadline = time.monotonic() + 10
        while read_responses(responses)[1]["answer"].dropna().tolist() != ["yes", "partial", "no"]:
            assert time.monotonic() < deadline, "the third answer was not saved"
            time.sleep(0.2)
        page.locator(".qr-form-status[data-status='saved']").wait_for(timeout=15_000)
        assert "建设中" in header.inner_text() or "起步阶段" in header.inner_text() or "基本具备" in header.inner_text()
        shot(page, tmp_path, "assess-zh.png")

        # Build report: the HTML report is written next to the notebook and linked from the form
        page.locator(".qr-form button", has_text="生成报告").click()
        link = page.locator(".qr-form-report-link")
        link.wait_for(timeout=60_000)
        report = next((lab["root"] / "reports").glob("my-office.*.html"), lab["root"] / "reports" / "missing")
        assert report.exists() and "<html" in report.read_text(encoding="utf-8")[:500].lower()
        served = page.request.get(link.evaluate("a => a.href"))
        assert served.ok and "My office" in served.text()
    except Exception:
        shot(page, tmp_path, "assess-failure.png")  # what the browser showed, for the failure report
        print((tmp_path / "lab.log").read_text()[-4000:])
        raise
    finally:
        page.close()
