"""Is an office's workbook open in Excel, WPS or LibreOffice right now? The one rule qmskit saves by.

Those programs keep the whole file in memory while it is open and write all of it back on Ctrl-S. If qmskit
replaced the file meanwhile, the program's next save would put back its copy over qmskit's answers (or
qmskit's save would have replaced what was typed there): answers lost either way. Nothing in the file says
it is open; what the programs leave beside it does:

- Excel and WPS: an owner file ``~$<name>`` (hidden on Windows, removed when the file is closed). Word
  spells it differently for a long name, ``~$`` in place of the first characters (two for a stem of 8 or
  more characters, one for a stem of 7: what LibreOffice, which writes these files for MS Office users,
  found). Excel prepends, as far as is known, but WPS and Office versions differ, so the cut spelling
  counts too, unless it is exactly the usual owner file of another file in the folder (then it is that
  file's: report.xlsx open beside abreport.xlsx leaves ``~$report.xlsx``).
- LibreOffice (and OpenOffice): ``.~lock.<name>#``.

A program that crashed leaves its lock file behind, so every refusal names the lock file and says to
delete it if the workbook is open nowhere. LibreOffice's lock file records user, host and time but no
process id, so a stale one cannot be told from a live one (another machine on a share looks the same).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from qmskit.errors import OpenElsewhereError

# which program a lock file is of: the catalog key of its name (as xlsx_parts.LostPart's values are)
EXCEL, LIBREOFFICE = "office_locks.program.excel", "office_locks.program.libreoffice"


@dataclass(frozen=True)
class OfficeLock:
    """The lock file beside a workbook that says ``program`` (:data:`EXCEL`, :data:`LIBREOFFICE`) has it open."""
    program: str
    path: Path


def _excel_names(name: str) -> list[str]:
    """The owner-file names Excel or WPS may give ``name``: ``~$`` before the whole name, and, for a long
    name, ``~$`` in place of its first characters (Word's spelling)."""
    names = ["~$" + name]
    stem = Path(name).stem
    cut = 2 if len(stem) >= 8 else 1 if len(stem) == 7 else 0
    if cut:
        names.append("~$" + name[cut:])
    return names


def _is_file(path: Path) -> bool:
    # the programs make a regular file; anything else of that name (a folder, a link) is not their lock
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def open_elsewhere(path: str | os.PathLike) -> OfficeLock | None:
    """The lock file saying the existing file ``path`` is open in Excel, WPS or LibreOffice; None when there
    is none (or ``path`` does not exist: nothing to replace, nothing a program could write back over)."""
    target = Path(path)
    if not target.is_file():
        return None
    # beside the name it was opened by, and beside the file a link leads to (where LibreOffice puts its lock)
    for place in dict.fromkeys((target.absolute(), target.resolve())):
        folder, name = place.parent, place.name
        for i, lock_name in enumerate(_excel_names(name)):
            # a cut spelling that is another file's usual owner file is that file's, not this one's
            if i and _is_file(folder / lock_name[2:]):
                continue
            if _is_file(folder / lock_name):
                return OfficeLock(EXCEL, folder / lock_name)
        libreoffice = folder / f".~lock.{name}#"
        if _is_file(libreoffice):
            return OfficeLock(LIBREOFFICE, libreoffice)
    return None


def refuse_if_open_elsewhere(path: str | os.PathLike) -> None:
    """Raise :class:`OpenElsewhereError` (one line naming the program and its lock file, what to do) when
    ``path`` is open in another program, before anything is written."""
    lock = open_elsewhere(path)
    if lock is None:
        return
    from qmskit.i18n.catalog import msg
    raise OpenElsewhereError(msg("office_locks.open_elsewhere", program=msg(lock.program),
                                 lock=lock.path.name), path=path, lock=lock.path)
