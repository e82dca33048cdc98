"""Zip containers that two zip readers read differently (design.md "Input limits"): the pre-scan reads an
.xlsx/.ods with Python's zipfile, calamine with the Rust zip crate. Where the two take different end records
(data appended, a second zip before or inside the file, an end record one of them skips), calamine read a
sheet the pre-scan never saw: a hidden sheet of 5,000 x 200 copies of a 9,999-character cell (10 GB)
aborted the process. Every such file gets one line; ZIP64 fields, data descriptors, local headers that
disagree with the directory, duplicate names, streams longer than declared and other compression methods
either read the very bytes the pre-scan checked or get one line too. Each case runs the real CLI."""
from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from corpus import (
    ASSESSMENT_HEADER,
    RawMember,
    _compressed,
    end_record,
    ods_cell,
    ods_content,
    ods_members,
    raw_zip,
    sheet_xml,
    xlsx_members,
)
from harness import corpus, run_cli  # noqa: F401  (corpus is a fixture)

# what the hidden zip holds: within every limit the pre-scan does not see, 10 GB once calamine copies it
ODS_HIDDEN = ods_content('<table:table table:name="Assessment"><table:table-row table:number-rows-repeated="5000">'
                         '<table:table-cell table:number-columns-repeated="200" office:value-type="string"><text:p>'
                         + "x" * 9999 + "</text:p></table:table-cell></table:table-row></table:table>")
ODS_BENIGN = ods_content('<table:table table:name="Assessment"><table:table-row>' + ods_cell("ID") + ods_cell("Answer")
                         + "</table:table-row><table:table-row>" + ods_cell("4.1-a") + ods_cell("yes")
                         + "</table:table-row></table:table>")
XLSX_BENIGN = sheet_xml([ASSESSMENT_HEADER, ["4.1", "4.1-a", "", "", "yes", "", "", "", ""]])
# a sheet calamine would build as A1:XFD1048576 (hundreds of GB: it aborts the process)
XLSX_HIDDEN = sheet_xml([ASSESSMENT_HEADER], raw_row='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t>'
                        '</is></c></row>')


def _write(corpus: Path, name: str, data: bytes) -> Path:
    path = corpus / name
    path.write_bytes(data)
    return path


def _hidden_and_benign(kind: str) -> tuple[bytes, bytes]:
    if kind == "ods":
        return raw_zip(ods_members(ODS_HIDDEN)), raw_zip(ods_members(ODS_BENIGN))
    # the benign workbook names one member twice: the pre-scan then does not hand calamine its own copy
    # (calamine reads the file itself), as for any workbook over 16 MB expanded
    members = xlsx_members(XLSX_BENIGN)
    return raw_zip(xlsx_members(XLSX_HIDDEN)), raw_zip(members + [members[-1]])


# the benign zip after the hidden one, its end record changed so that the Rust reader skips it and takes the
# hidden zip's, while zipfile reads the benign one
END_RECORD_LIES = {
    "comment-longer-than-the-file": {"comment_length": 5},
    "second-disk": {"disk": 1, "cd_disk": 1},
    "directory-on-another-disk": {"cd_disk": 1},
    "entry-counts-disagree": {"here": 9},
}


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
@pytest.mark.parametrize("lie", END_RECORD_LIES)
def test_a_hidden_zip_before_an_end_record_one_reader_skips(corpus, kind, lie):
    hidden, benign = _hidden_and_benign(kind)
    path = _write(corpus, f"polyglot-{lie}.{kind}", hidden + end_record(benign, **END_RECORD_LIES[lie]))
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, "zip")


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
@pytest.mark.parametrize("where", ["prepended", "appended", "inside-a-member", "in-the-comment"])
def test_two_zips_in_one_file(corpus, kind, where):
    """Both readers happen to agree on these today; a file holding two zips is refused all the same (the
    next reader version may choose otherwise)."""
    hidden, benign = _hidden_and_benign(kind)
    data = {"prepended": lambda: hidden + benign, "appended": lambda: benign + hidden,
            "inside-a-member": lambda: raw_zip((ods_members(ODS_BENIGN) if kind == "ods" else xlsx_members(XLSX_BENIGN))
                                               + [RawMember("media/blob.bin", hidden, method=0)]),
            "in-the-comment": lambda: end_record(benign, comment_length=len(hidden)) + hidden}[where]()
    path = _write(corpus, f"two-zips-{where}.{kind}", data)
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, "zip")


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_an_end_record_signature_by_chance_is_no_second_zip(corpus, kind):
    """Compressed data holds the 4-byte end-record signatures by chance (about once in 4 GB: 1 in 200 files of
    20 MB): with no directory behind them they are not a zip, and the office's file is read."""
    members = ods_members(ODS_BENIGN) if kind == "ods" else xlsx_members(XLSX_BENIGN)
    chance = b"\x93" * 40 + b"PK\x05\x06" + bytes(range(7, 40)) + b"PK\x06\x06" + b"\xff" * 60
    path = _write(corpus, f"chance-signature.{kind}", raw_zip(members + [RawMember("media/image1.bin", chance, method=0)]))
    run = run_cli(["score", "--json", path], cwd=corpus)
    assert run.returncode == 0, run.stderr[-2000:]
    assert '"answer": "yes"' in run.stdout


def test_junk_after_the_end_record(corpus):
    path = _write(corpus, "trailing.ods", raw_zip(ods_members(ODS_BENIGN)) + b"\0" * 100)
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, "zip")


# ---------------------------------------------------------------------------------------------- members
# layouts both readers read alike: the file is read, same answers as a plain one
READ_ALIKE = {
    "zip64-extra-fields": {"zip64": True},
    "data-descriptor": {"descriptor": True},
    "local-header-sizes-lie": {"local_size": 7, "local_csize": 3},
    "stored": {"method": 0},
}


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
@pytest.mark.parametrize("layout", READ_ALIKE)
def test_member_layouts_both_readers_read_alike(corpus, kind, layout):
    members = (ods_members(ODS_BENIGN, **READ_ALIKE[layout]) if kind == "ods"
               else xlsx_members(XLSX_BENIGN, **READ_ALIKE[layout]))
    path = _write(corpus, f"layout-{layout}.{kind}", raw_zip(members))
    run = run_cli(["score", "--json", path], cwd=corpus)
    assert run.returncode == 0, run.stderr[-2000:]
    assert '"answer": "yes"' in run.stdout
    assert run.peak_mb <= 500


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_every_member_zip64_on_both_sides(corpus, kind):
    members = ods_members(ODS_BENIGN) if kind == "ods" else xlsx_members(XLSX_BENIGN)
    for m in members:
        m.zip64 = True
    path = _write(corpus, f"all-zip64.{kind}", raw_zip(members))
    run = run_cli(["score", "--json", path], cwd=corpus)
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_stream_longer_than_its_declared_size(corpus, kind):
    """The directory declares the benign document's size (and its CRC); the deflate stream goes on with the
    hidden sheet. zipfile stops at the declared size; calamine must never read past it."""
    benign, hidden = (ODS_BENIGN, ODS_HIDDEN) if kind == "ods" else (XLSX_BENIGN, XLSX_HIDDEN)
    head = benign.encode()
    full = head + hidden.encode()
    fields = {"size": len(head), "crc": zlib.crc32(head)}
    members = ods_members(full, **fields) if kind == "ods" else xlsx_members(full, **fields)
    path = _write(corpus, f"stream-longer.{kind}", raw_zip(members))
    run = run_cli(["score", "--json", path], cwd=corpus)
    if run.returncode == 0:   # read as declared: the benign sheet only
        assert '"answer": "yes"' in run.stdout and run.peak_mb <= 500
    else:
        run.assert_one_line_error(path.name)


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_stream_shorter_than_its_declared_size(corpus, kind):
    """Both readers stop where the stream ends (the CRC is the real one): read, or one line."""
    benign = (ODS_BENIGN if kind == "ods" else XLSX_BENIGN).encode()
    fields = {"size": len(benign) + 1000}
    members = ods_members(benign, **fields) if kind == "ods" else xlsx_members(benign, **fields)
    path = _write(corpus, f"stream-shorter.{kind}", raw_zip(members))
    run = run_cli(["score", "--json", path], cwd=corpus)
    if run.returncode == 0:
        assert '"answer": "yes"' in run.stdout and run.peak_mb <= 500
    else:
        run.assert_one_line_error(path.name)


def test_an_xlsm_is_refused_in_one_line(corpus):
    """qmskit reads .xlsx, not macro workbooks: a ZIP64 .xlsm gets the unsupported-type line, unopened."""
    members = xlsx_members(XLSX_BENIGN)
    for m in members:
        m.zip64 = True
    path = _write(corpus, "all-zip64.xlsm", raw_zip(members))
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name, "unsupported file type '.xlsm'")


def test_a_small_declared_size_that_inflates_to_gigabytes(corpus):
    """A 1 GB stream of spaces declared as 1 KB (CRC of that 1 KB): nobody inflates past the declared size."""
    head = ODS_BENIGN.encode()
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    # a full flush resets the window: one compressed MB of spaces repeated is a valid stream of 1 GB
    block = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    payload = start + block * 1024 + c.flush()
    assert zlib.decompressobj(-15).decompress(payload, len(head)) == head
    members = ods_members(head, size=len(head), crc=zlib.crc32(head))
    path = corpus / "inflates.ods"
    path.write_bytes(_with_payload(members, 1, payload))   # the long stream as content.xml's bytes
    assert path.stat().st_size < 2 * 1024 * 1024
    run = run_cli(["score", "--json", path], cwd=corpus)
    if run.returncode == 0:
        assert '"answer": "yes"' in run.stdout
    else:
        run.assert_one_line_error(path.name)
    assert run.peak_mb <= 500


def _with_payload(members: list[RawMember], index: int, payload: bytes) -> bytes:
    import corpus as c
    original = c._compressed
    try:
        c._compressed = lambda m: payload if m is members[index] else original(m)  # type: ignore[assignment]
        return c.raw_zip(members)
    finally:
        c._compressed = original  # type: ignore[assignment]


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_duplicate_member_names_hidden_second(corpus, kind):
    """Two content.xml (two xl/worksheets/sheet2.xml): zipfile opens the last by name, the Rust crate the
    first or the last; the pre-scan checks each one."""
    if kind == "ods":
        members = ods_members(ODS_BENIGN) + [ods_members(ODS_HIDDEN)[1]]
    else:
        members = xlsx_members(XLSX_BENIGN) + [xlsx_members(XLSX_HIDDEN)[-1]]
    path = _write(corpus, f"duplicate.{kind}", raw_zip(members))
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name)


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
@pytest.mark.parametrize("method", [12, 14, 9, 93, 99])
def test_compression_methods_other_than_deflate(corpus, kind, method):
    """bzip2 and lzma: zipfile reads them, calamine cannot (the .xlsx is handed to calamine stored, so it
    reads); deflate64, zstd, AES (their numbers on a deflate stream): neither. Either read or one line."""
    benign = (ODS_BENIGN if kind == "ods" else XLSX_BENIGN).encode()
    members = ods_members(benign) if kind == "ods" else xlsx_members(benign)
    target = members[1] if kind == "ods" else members[-1]
    if method in (12, 14):
        target.method = method
        data = raw_zip(members)
    else:
        payload = _compressed(target)   # a deflate stream, labelled with another method
        target.method = method
        data = _with_payload(members, members.index(target), payload)
    path = _write(corpus, f"method-{method}.{kind}", data)
    run = run_cli(["score", "--json", path], cwd=corpus)
    if run.returncode == 0:
        assert '"answer": "yes"' in run.stdout
    else:
        run.assert_one_line_error(path.name)


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
@pytest.mark.parametrize("codec", ["deflate", "bzip2", "lzma"])
def test_a_damaged_compressed_stream(corpus, kind, codec):
    """A member whose compressed bytes are garbage: zlib.error / LZMAError / OSError, once an internal error."""
    benign = (ODS_BENIGN if kind == "ods" else XLSX_BENIGN).encode()
    members = ods_members(benign) if kind == "ods" else xlsx_members(benign)
    target = members[1] if kind == "ods" else members[-1]
    target.method = {"deflate": 8, "bzip2": 12, "lzma": 14}[codec]
    good = _compressed(target)
    damaged = good[:len(good) // 3] + bytes(b ^ 0x5A for b in good[len(good) // 3:])
    path = _write(corpus, f"damaged-{codec}.{kind}", _with_payload(members, members.index(target), damaged))
    run_cli(["score", path], cwd=corpus).assert_one_line_error(path.name)


def test_saving_over_an_ods_with_a_damaged_picture(tmp_path):
    """The pre-scan reads only the XML members; saving into an .ods copies the others, and a damaged
    picture's deflate stream raised zlib.error out of the save (an internal error in the form or the CLI).
    Now the save writes a fresh file and says why, the old one kept as the backup."""
    import warnings
    import zipfile

    from corpus import answered_file

    import qmskit
    from qmskit.io.responses import write_responses
    path = answered_file(tmp_path / "saved.ods", "Saved Office", 3)
    with zipfile.ZipFile(path) as zf:
        members = [RawMember(i.filename, zf.read(i), method=0 if i.filename == "mimetype" else 8)
                   for i in zf.infolist()]
    picture = RawMember("Pictures/evidence.png", b"\x89PNG" + b"z" * 5000)
    good = _compressed(picture)
    members.append(picture)
    path.write_bytes(_with_payload(members, len(members) - 1, good[:10] + bytes(b ^ 0x5A for b in good[10:])))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cl = qmskit.load_checklist("iso9001-2015")
        frame = cl.questions[["id"]].head(3).assign(answer="yes")
        write_responses(path, {"office": "Saved Office"}, frame, cl, backup=True)
    assert any("not an .ods" in str(w.message) for w in caught), [str(w.message) for w in caught]
    assert (tmp_path / "saved.ods.bak").exists() or list(tmp_path.glob("saved*.bak*"))
    run = run_cli(["score", "--json", path], cwd=tmp_path)
    assert run.returncode == 0 and '"answer": "yes"' in run.stdout, run.stderr[-2000:]
