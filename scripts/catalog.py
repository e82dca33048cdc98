"""Sort the message catalogs by msgid and compile each .po to its .mo (``make catalog``).

qmskit reads the compiled ``qmskit/i18n/locale/<locale>/LC_MESSAGES/qmskit.mo`` at run time with the
standard library's :mod:`gettext`; Babel (a test dependency) is needed only here and in the tests.
Both files are committed: ``tests/i18n/test_catalog.py`` fails when a .mo is stale against its .po or a
.po is not in canonical (sorted) form, so run this after every edit of a .po.

``--check`` changes nothing and exits 1 naming the files that this command would rewrite.
``--resolve`` settles a merge conflict in the catalogs: each conflicted .po becomes the union of both
sides' messages (a msgid both sides changed differently is reported, and keeps our text), then every .po
is sorted and compiled as usual; ``git add`` the locale folder and commit the merge.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "qmskit" / "i18n" / "locale"
DOMAIN = "qmskit"
PO_WIDTH = 100  # the column at which Babel wraps long msgstr lines


def canonical(po_path: Path) -> tuple[bytes, bytes]:
    """The sorted .po text and the compiled .mo for one catalog."""
    with po_path.open("rb") as f:
        catalog = read_po(f, domain=DOMAIN)
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalog, sort_output=True, width=PO_WIDTH)
    write_mo(mo, catalog)
    return po.getvalue(), mo.getvalue()


def resolve_conflict(po_path: Path) -> list[str]:
    """Write the union of our and their side (git's merge stages 2 and 3) of a conflicted .po."""
    rel = po_path.relative_to(LOCALE_DIR.parents[2]).as_posix()

    def side(stage: int):
        data = subprocess.check_output(["git", "show", f":{stage}:{rel}"], cwd=LOCALE_DIR.parents[2])
        return read_po(io.BytesIO(data), domain=DOMAIN)

    ours, theirs = side(2), side(3)
    clashes = []
    for message in theirs:
        if not message.id:
            continue
        key = message.id[0] if message.pluralizable else message.id
        if key not in ours:
            ours[message.id] = message
        elif ours[key].string != message.string:
            clashes.append(f"{rel}: {key!r} differs on the two sides; kept ours")
    po = io.BytesIO()
    write_po(po, ours, sort_output=True, width=PO_WIDTH)
    po_path.write_bytes(po.getvalue())
    return clashes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report files that are out of date; write nothing")
    parser.add_argument("--resolve", action="store_true", help="settle a git merge conflict in the .po files")
    args = parser.parse_args(argv)
    if args.resolve:
        conflicted = subprocess.check_output(["git", "diff", "--name-only", "--diff-filter=U"],
                                             cwd=LOCALE_DIR.parents[2], text=True).split()
        for rel in conflicted:
            if rel.endswith(f"/{DOMAIN}.po") and "/i18n/locale/" in rel:
                for clash in resolve_conflict(LOCALE_DIR.parents[2] / rel):
                    print(clash)
    stale = []
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        po, mo = canonical(po_path)
        for path, data in ((po_path, po), (po_path.with_suffix(".mo"), mo)):
            if not path.exists() or path.read_bytes() != data:
                stale.append(path)
                if not args.check:
                    path.write_bytes(data)
    for path in stale:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(LOCALE_DIR.parents[2])}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
