"""Sort the message catalogs by msgid and compile each .po to its .mo (``make catalog``).

qmskit reads the compiled ``qmskit/i18n/locale/<locale>/LC_MESSAGES/qmskit.mo`` at run time with the
standard library's :mod:`gettext`; Babel (a test dependency) is needed only here and in the tests.
Both files are committed: ``tests/i18n/test_catalog.py`` fails when a .mo is stale against its .po or a
.po is not in canonical (sorted) form, so run this after every edit of a .po.

``--check`` changes nothing and exits 1 naming the files that this command would rewrite.
"""
from __future__ import annotations

import argparse
import io
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report files that are out of date; write nothing")
    args = parser.parse_args(argv)
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
