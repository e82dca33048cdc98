"""WarmKernel is a context manager that owns its kernel: the kernel process is gone when the block ends,
whether the body returned, raised, or was interrupted (KeyboardInterrupt); a real kernel, a real notebook."""
from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from qmskit.jupyter._nbformat import nbformat  # isort: skip  (before nbclient: see qmskit.jupyter._nbformat)
from qmskit.jupyter.warmkernel import WarmKernel


def gone(pid: int, seconds: float = 10) -> bool:
    """The process no longer exists (a zombie counts as alive: the kernel must have been reaped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            psutil.Process(pid)
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def printed(nb) -> str:
    """What the last cell printed (a print may arrive as several stream messages)."""
    return "".join(o["text"] for o in nb.cells[-1].outputs if o["output_type"] == "stream")


def small_notebook(tmp_path, code: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = None", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "small.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_kernel_runs_a_notebook_and_is_gone_after_the_block(tmp_path):
    path = small_notebook(tmp_path, "print(x * 2)")
    with WarmKernel(checklists=()) as kernel:
        pid = kernel.pid
        assert pid is not None and psutil.Process(pid).is_running()
        nb = kernel.execute_notebook(path, {"x": 21})
    assert printed(nb) == "42\n"
    assert gone(pid)
    assert kernel.km is None and kernel.kc is None


def test_one_kernel_runs_notebook_after_notebook(tmp_path):
    """Reused, not restarted (a reset that failed would start a new kernel each time, silently)."""
    path = small_notebook(tmp_path, "print(x)")
    with WarmKernel(checklists=()) as kernel:
        pid = kernel.pid
        outputs = [printed(kernel.execute_notebook(path, {"x": n})) for n in range(3)]
        assert kernel.pid == pid and kernel.notebooks_run == 3
    assert outputs == ["0\n", "1\n", "2\n"]
    assert gone(pid)


def test_kernel_is_gone_when_the_body_raises(tmp_path):
    path = small_notebook(tmp_path, "y = x")
    with pytest.raises(ValueError, match="after the notebook"):
        with WarmKernel(checklists=()) as kernel:
            pid = kernel.pid
            kernel.execute_notebook(path, {"x": 1})
            raise ValueError("after the notebook")
    assert gone(pid)


def test_kernel_is_gone_when_interrupted_before_it_answered():
    """Ctrl-C right after the launch (the kernel still booting, nothing connected yet)."""
    with pytest.raises(KeyboardInterrupt):
        with WarmKernel(checklists=()) as kernel:
            pid = kernel.pid
            raise KeyboardInterrupt
    assert pid is not None and gone(pid)


def test_a_cell_error_is_one_line_and_the_kernel_is_gone(tmp_path):
    from qmskit.errors import NotebookError

    path = small_notebook(tmp_path, "raise RuntimeError('broken section')")
    with pytest.raises(NotebookError, match=r"report for 'Office X' failed in cell \d+: RuntimeError: broken section"):
        with WarmKernel(checklists=()) as kernel:
            pid = kernel.pid
            kernel.run_report(path, {"x": 1}, office="Office X")
    assert gone(pid)


def test_notebook_module_does_not_import_warmkernel():
    """The lazy import circle notebook <-> warmkernel is gone: warmkernel builds on notebook only."""
    import ast
    import inspect

    import qmskit.jupyter.notebook as notebook_module

    imported = {alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
                for node in ast.walk(ast.parse(inspect.getsource(notebook_module)))
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert not [name for name in imported if "warmkernel" in name or "warmengine" in name]
    code = "import sys, qmskit.jupyter.notebook\nassert 'qmskit.jupyter.warmkernel' not in sys.modules\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_the_kernel_process_is_qmskits_launcher_with_its_imports_done(tmp_path):
    """The python3 spec's ``-m ipykernel_launcher`` runs as ``-m qmskit.jupyter.kernel_main``: the same IPython
    kernel, whose standing imports are done before the first notebook, with the raised collector threshold
    and without a debugger."""
    from qmskit.config import GC_GEN0_THRESHOLD
    from qmskit.jupyter.kernelstate import PREIMPORTS

    path = small_notebook(tmp_path, "import gc, json, sys\nimport ipykernel.debugger\n"
                                    f"print(json.dumps([sys.argv[0], gc.get_threshold()[0], "
                                    f"[m for m in {PREIMPORTS!r} if m not in sys.modules], "
                                    "type(get_ipython()).__name__, ipykernel.debugger._is_debugpy_available, "
                                    "__import__('debugpy').__name__]))")
    with WarmKernel(checklists=()) as kernel:
        cmdline = psutil.Process(kernel.pid).cmdline()
        nb = kernel.execute_notebook(path, {"x": 1})
    assert cmdline[cmdline.index("-m") + 1] == "qmskit.jupyter.kernel_main"
    import json
    argv0, threshold, missing, shell, debugger, debugpy = json.loads(printed(nb))
    assert argv0.endswith("kernel_main.py") and threshold == GC_GEN0_THRESHOLD and missing == []
    assert shell == "ZMQInteractiveShell"
    assert debugger is False and debugpy == "debugpy"  # no debugger built; the module itself still imports


@pytest.mark.parametrize("argv, replaced", [
    ([sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"], True),
    (["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"], True),
    (["/some/other/env/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"], False),
    ([sys.executable, "-m", "my_kernel", "-f", "{connection_file}"], False),
    (["/usr/bin/julia", "kernel.jl", "{connection_file}"], False),
])
def test_only_this_interpreters_ipykernel_command_is_changed(argv, replaced):
    from types import SimpleNamespace

    from jupyter_client.kernelspec import KernelSpec

    from qmskit.jupyter.warmkernel import KERNEL_LAUNCHER, use_qmskit_launcher

    km = SimpleNamespace(kernel_spec=KernelSpec(argv=list(argv), display_name="k", language="python"))
    use_qmskit_launcher(km)
    expected = ([KERNEL_LAUNCHER if a == "ipykernel_launcher" else a for a in argv if a != "-Xfrozen_modules=off"]
                if replaced else argv)
    assert km.kernel_spec.argv == expected


@pytest.mark.slow
def test_a_started_kernel_has_answered_and_left_nothing_on_iopub():
    """The kernel is ready without jupyter_client's 0.2 s of IOPub silence: its kernel_info request is
    answered and that request's status messages are read, so nothing of it reaches the first notebook."""
    from queue import Empty

    from qmskit.jupyter.warmkernel import _ready_client, _run

    kernel = WarmKernel()
    kernel.launch()
    try:
        kc, info = _run(_ready_client(kernel.km, 60))
        try:
            assert info["language_info"]["name"] == "python"  # what each notebook's metadata records
            with pytest.raises(Empty):
                _run(kc.get_iopub_msg(timeout=0.3))
            msg_id = kc.execute("1 + 1", silent=False, store_history=False)
            reply = _run(kc.get_shell_msg(timeout=60))
            assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
    finally:
        kernel.kill()
