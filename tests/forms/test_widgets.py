"""The interactive form in-process: set widget values as a user would, check the file, the live score,
reopening, the .bak, outside edits and the exit flush (no browser, no kernel)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import qmskit
from qmskit.forms.session import CONFLICT, ERROR, SAVED, ResponsesSession
from qmskit.forms.widgets import AssessmentForm
from qmskit.i18n.numbers import fmt_number
from qmskit.io.responses import read_responses, write_responses

MINI = Path(__file__).parents[1] / "data" / "mini.yaml"


def wait_saved(session: ResponsesSession, timeout: float = 30.0) -> None:
    # a bound on waiting, not a speed claim: under a loaded CI machine the first save (which imports
    # openpyxl) has taken over 3 s; the loop returns as soon as the save is done
    end = time.monotonic() + timeout
    while (session.unsaved or session.status != SAVED) and time.monotonic() < end:
        time.sleep(0.02)
    assert session.status == SAVED and not session.unsaved, session.status


def saved_form(tmp_path, **kwargs) -> AssessmentForm:
    """A form on a new mini-checklist file with 4.1-a answered "yes" and saved."""
    form = AssessmentForm(MINI, tmp_path / "o.yaml", **{"poll": None, "debounce": 0.05, **kwargs})
    form.card("4.1-a").answer.value = "yes"
    wait_saved(form.session)
    return form


def saved(path: Path, qid: str, field: str = "answer"):
    return read_responses(path, MINI)[1].set_index("id").at[qid, field]


def fill(form: AssessmentForm, qid: str, answer, evidence="", notes="", owner="", due=None) -> None:
    card = form.card(qid)
    card.answer.value = answer
    card.evidence.value = evidence
    card.notes.value = notes
    card.owner.value = owner
    card.due.value = due


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml"])
def test_answers_are_saved_and_scored_live(tmp_path, suffix):
    path = tmp_path / f"office{suffix}"
    form = AssessmentForm(MINI, path, office="Mini Office", poll=None, debounce=0.05)
    assert path.exists(), "a new responses file is written as soon as the form opens"
    assert "Mini Office" in form.score_html.value
    fill(form, "4.1-a", "yes", evidence="Context analysis v2")
    fill(form, "4.1-b", "partial", owner="Ms. Chen", due=dt.date(2026, 12, 1), evidence="2025 minutes")
    fill(form, "5-a", "no", notes="No signed policy yet")
    # live: the header holds the same figures as qmskit.score on what the form shows
    expected = qmskit.score(MINI, form.session.frame())
    assert form.assessment.overall == pytest.approx(expected.overall)
    assert f">{fmt_number(expected.overall)}<" in form.score_html.value
    # by hand: weights 1, 3, 2 for 4.1-a yes, 4.1-b partial, 5-a no → 100 × (1 + 1.5 + 0) / 6 = 41.7
    assert form.assessment.overall == pytest.approx(100 * 2.5 / 6)
    assert form.assessment.completeness == pytest.approx(60.0)
    assert form.assessment.readiness == "developing"  # overall ≥ 40, completeness < 90
    assert "data-field='readiness'" in form.score_html.value and "Developing" in form.score_html.value
    wait_saved(form.session)
    meta, frame = read_responses(path, MINI)
    got = frame.set_index("id")
    assert meta["office"] == "Mini Office"
    assert got.loc["4.1-b", "answer"] == "partial" and got.loc["4.1-b", "owner"] == "Ms. Chen"
    assert got.loc["4.1-b", "due"] == "2026-12-01" and got.loc["5-a", "notes"] == "No signed policy yet"
    untouched = got.reindex(["4.2-a"]).iloc[0].fillna("")
    assert untouched["answer"] in ("", None) and untouched["evidence"] == ""  # untouched questions stay blank
    form.close()


def test_section_titles_show_their_completeness(tmp_path):
    form = AssessmentForm(MINI, tmp_path / "o.yaml", poll=None, debounce=0.05)
    assert form.tabs.titles[:2] == ("4 · 0%", "5 · 0%")
    form.card("4.1-a").answer.value = "yes"
    assert form.tabs.titles[0] == "4 · 33.3%"
    assert "4 Context" in form.top_headings["4"].value and "(1/3)" in form.top_headings["4"].value
    assert form.accordions["4"].titles == ("4.1 Issues — 50%", "4.2 Parties — 0%")
    form.set_lang("zh")
    assert form.accordions["4"].titles[0] == "4.1 因素 — 50%"
    assert "是否确定了因素" in form.card("4.1-a").title.value
    assert [lbl for lbl, _ in form.card("4.1-a").answer.options][:3] == ["是", "部分", "否"]
    assert form.card("4.1-a").answer.value == "yes", "switching language keeps the answer"
    form.close()


def test_reopen_restores_every_field(tmp_path, full_checklist):
    from conftest import mixed_answers
    path = tmp_path / "full.xlsx"
    form = AssessmentForm(full_checklist, path, office="Round Trip", poll=None, debounce=0.05)
    answers = mixed_answers(full_checklist).head(40)
    for r in answers.itertuples(index=False):
        fill(form, r.id, r.answer or "", r.evidence, r.notes, r.owner,
             dt.date.fromisoformat(r.due) if r.due else None)
    form.meta_widgets["assessor"].value = "T. Tester"
    form.meta_widgets["scope"].value = "Administrative services"
    wait_saved(form.session)
    before = {qid: (c.answer.value, c.evidence.value, c.notes.value, c.owner.value, c.due.value)
              for qid, c in form.cards.items()}
    form.close()

    again = AssessmentForm(full_checklist, path, poll=None)
    again.build_all()
    after = {qid: (c.answer.value, c.evidence.value, c.notes.value, c.owner.value, c.due.value)
             for qid, c in again.cards.items()}
    assert after == {**{qid: ("", "", "", "", None) for qid in after}, **before}
    assert again.meta_widgets["assessor"].value == "T. Tester"
    assert again.meta_widgets["office"].value == "Round Trip"
    assert again.assessment.overall == pytest.approx(form.assessment.overall)
    again.close()


def test_every_save_keeps_the_previous_version_as_bak(tmp_path):
    form = saved_form(tmp_path)
    path = form.session.path
    first = path.read_text(encoding="utf-8")
    form.card("4.1-a").answer.value = "no"
    wait_saved(form.session)
    bak = path.with_name("o.yaml.bak")
    assert bak.read_text(encoding="utf-8") == first
    bak_copy = tmp_path / "bak-copy.yaml"
    bak_copy.write_bytes(bak.read_bytes())
    assert saved(bak_copy, "4.1-a") == "yes" and saved(path, "4.1-a") == "no"
    assert not list(tmp_path.glob(".*.tmp")), "no temporary files left behind"
    form.close()


def test_saves_are_debounced_but_never_later_than_a_second(tmp_path):
    session = ResponsesSession(tmp_path / "o.yaml", MINI, debounce=0.3, max_delay=1.0)
    start = time.monotonic()
    saves_before = session.saves
    while time.monotonic() - start < 1.6:  # typing without pause
        session.set("4.1-a", "notes", f"typing {time.monotonic()}")
        time.sleep(0.05)
        if session.saves > saves_before:
            break
    # edits 50 ms apart never leave the 0.3 s debounce quiet, so only max_delay can have forced this
    # save while typing went on: one save for the burst, not one per keystroke, and not "never"
    assert session.saves == saves_before + 1, "a burst of edits is one save, not one per keystroke"
    session.close()


def test_outside_edit_is_detected_not_overwritten_and_can_be_reloaded(tmp_path):
    form = saved_form(tmp_path)
    path = form.session.path
    # someone edits the file (e.g. in Excel or an editor) while the form is open
    meta, frame = read_responses(path, MINI)
    frame.loc[frame["id"] == "4.1-a", "evidence"] = "added outside"
    time.sleep(0.01)
    write_responses(path, meta, frame, MINI, backup=False)
    theirs = path.read_text(encoding="utf-8")
    form.card("5-a").answer.value = "no"
    time.sleep(0.3)
    assert form.session.status == CONFLICT
    assert path.read_text(encoding="utf-8") == theirs, "their edit is not overwritten"
    assert "data-status='conflict'" in form.status_html.value
    assert form.conflict_box.layout.display == ""
    form.reload()
    assert form.card("4.1-a").evidence.value == "added outside"
    assert form.card("5-a").answer.value == "", "reload takes the file as it is on disk"
    assert form.session.status == SAVED and form.conflict_box.layout.display == "none"
    form.card("5-a").answer.value = "partial"
    wait_saved(form.session)
    assert saved(path, "4.1-a", "evidence") == "added outside"
    form.close()


def test_keep_mine_overwrites_and_keeps_theirs_as_bak(tmp_path):
    form = saved_form(tmp_path, poll=0.05)
    path = form.session.path
    meta, frame = read_responses(path, MINI)
    write_responses(path, {**meta, "assessor": "Someone else"}, frame, MINI, backup=False)
    theirs = path.read_text(encoding="utf-8")
    end = time.monotonic() + 3
    while form.session.status != CONFLICT and time.monotonic() < end:
        time.sleep(0.02)
    assert form.session.status == CONFLICT, "the poller shows an outside edit before any click"
    form.keep_mine()
    assert form.session.status == SAVED
    assert path.with_name("o.yaml.bak").read_text(encoding="utf-8") == theirs
    assert "assessor" not in read_responses(path, MINI)[0]
    form.close()


def test_a_mere_touch_is_not_a_conflict(tmp_path):
    path = tmp_path / "o.yaml"
    session = ResponsesSession(path, MINI, debounce=0.01)
    path.touch()
    session.set("4.1-a", "answer", "yes")
    wait_saved(session)
    session.close()


def test_write_error_is_shown_and_retried(tmp_path, monkeypatch):
    path = tmp_path / "o.yaml"
    form = AssessmentForm(MINI, path, poll=None, debounce=0.01)

    def fail(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr("qmskit.forms.session.write_responses", fail)
    form.card("4.1-a").answer.value = "yes"
    time.sleep(0.2)
    assert form.session.status == ERROR and "disk full" in form.status_html.value
    monkeypatch.undo()
    form.card("4.1-b").answer.value = "no"
    wait_saved(form.session)
    assert len(read_responses(path, MINI)[1]) == 2, "nothing typed during the error is lost"
    form.close()


def test_critical_questions_offer_no_na_and_na_needs_notes(tmp_path):
    form = AssessmentForm(MINI, tmp_path / "o.yaml", poll=None)
    assert "n/a" not in [v for _, v in form.card("4.1-a").answer.options]  # critical, na not allowed
    assert "n/a" not in [v for _, v in form.card("4.1-b").answer.options]  # na_allowed defaults to false
    card = form.card("4.2-a")                                                # na_allowed: true
    card.answer.value = "n/a"
    assert "justification" in card.warning.value
    card.notes.value = "Not applicable: no such issues"
    assert card.warning.value == ""
    form.close()


def test_filter_shows_only_unanswered_or_only_gaps(tmp_path):
    form = AssessmentForm(MINI, tmp_path / "o.yaml", poll=None)
    form.build_all()
    form.card("4.1-a").answer.value = "yes"
    form.card("4.1-b").answer.value = "partial"
    visible = lambda: sorted(q for q, c in form.cards.items() if c.box.layout.display != "none")  # noqa: E731
    form.filter.value = "unanswered"
    assert visible() == ["4.2-a", "5-a", "5-b"]
    form.filter.value = "gaps"
    assert visible() == ["4.1-b"]
    form.filter.value = "all"
    assert len(visible()) == 5
    form.close()


def test_lazy_build_on_the_full_checklist(tmp_path, full_responses, full_checklist):
    """Only opened sub-clauses are built; clicks re-score live. (Speed is measured in
    benchmarks/bench_widgets.py, never asserted as wall-clock time here.)"""
    path = tmp_path / "full.xlsx"
    path.write_bytes(full_responses.read_bytes())
    form = AssessmentForm(full_checklist, path, poll=None)
    assert set(form.cards) == set(form.groups["4.1"]), "only the open sub-clause is built"
    form.tabs.selected_index = 4  # clause 8: its first sub-clause opens and is built
    assert set(form.cards) == set(form.groups["4.1"]) | set(form.groups["8.1"])
    card = form.card("8.5.1-a")
    seen = set()
    for value in ["yes", "no", "partial", "yes"]:
        card.answer.value = value
        seen.add(round(form.assessment.overall, 9))
    assert len(seen) == 3  # every click re-scored the office
    form.close()


def test_kernel_exit_flushes_pending_changes(tmp_path):
    path = tmp_path / "o.yaml"
    code = (f"from qmskit.forms.session import ResponsesSession\n"
            f"s = ResponsesSession({str(path)!r}, {str(MINI)!r}, debounce=60, max_delay=60)\n"
            f"s.set('4.1-a', 'answer', 'yes')\n"
            f"s.set('4.1-a', 'evidence', 'flushed at exit')\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    got = read_responses(path, MINI)[1].set_index("id")
    assert got.at["4.1-a", "evidence"] == "flushed at exit"


def test_maturity_scale_uses_levels(tmp_path):
    text = MINI.read_text(encoding="utf-8").replace("scale: compliance", "scale: maturity").replace("id: mini",
                                                                                                     "id: mini-m")
    cl_path = tmp_path / "mini-m.yaml"
    cl_path.write_text(text, encoding="utf-8")
    form = AssessmentForm(cl_path, tmp_path / "o.yaml", poll=None, debounce=0.01)
    assert [v for _, v in form.card("4.1-b").answer.options] == [1, 2, 3, 4, 5, ""]  # n/a not allowed there
    card = form.card("4.2-a")
    assert [v for _, v in card.answer.options] == [1, 2, 3, 4, 5, "n/a", ""]
    card.answer.value = 4
    assert form.assessment.overall == pytest.approx(75.0)
    wait_saved(form.session)
    assert read_responses(tmp_path / "o.yaml", cl_path)[1].set_index("id").at["4.2-a", "answer"] == 4  # maturity
    form.close()


def test_bad_file_type_is_a_one_line_error_in_the_form(tmp_path):
    form = AssessmentForm(None, None, poll=None)
    form.checklist_box.value = "iso9001-2015"
    form.responses_box.value = str(tmp_path / "office.txt")
    form.open_button.click()
    assert "unsupported file type &#39;.txt&#39;" in form.open_error.value  # escaped (MarkupSafe)
    assert form.session is None


def test_open_from_the_launcher(tmp_path):
    form = AssessmentForm(None, None, poll=None)
    form.checklist_box.value = str(MINI)
    form.responses_box.value = str(tmp_path / "new.yaml")
    form.office_box.value = "Launcher Office"
    form.open_button.click()
    assert form.session is not None and read_responses(tmp_path / "new.yaml", MINI)[0]["office"] == "Launcher Office"
    assert isinstance(form.assessment.questions, pd.DataFrame)
    form.close()


@pytest.mark.slow
def test_build_report_button_writes_the_html_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    form = AssessmentForm(MINI, tmp_path / "o.yaml", office="Report Office", poll=None, report_dir=tmp_path / "out")
    form.card("4.1-a").answer.value = "no"
    form.build_button.click()
    assert form.report_path is not None, form.report_html.value
    assert form.report_path.parent == tmp_path / "out" and form.report_path.suffix == ".html"
    assert "Report Office" in form.report_path.read_text(encoding="utf-8")
    assert not form.build_button.disabled
    form.close()


@pytest.mark.slow
def test_pending_changes_are_written_when_a_real_kernel_shuts_down(tmp_path):
    """JupyterLab's shutdown asks the kernel to exit; the session's atexit flush must run there too."""
    from jupyter_client.manager import start_new_kernel
    path = tmp_path / "o.yaml"
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply = kc.execute_interactive(
            "from qmskit.forms.widgets import AssessmentForm\n"
            f"form = AssessmentForm({str(MINI)!r}, {str(path)!r}, poll=None, debounce=600)\n"
            "form.session.max_delay = 600\n"
            "form.card('5-a').answer.value = 'partial'\n"
            "form.card('5-a').owner.value = 'Mr. Liu'\n", timeout=60)
        assert reply["content"]["status"] == "ok"
        assert read_responses(path, MINI)[1].empty, "nothing saved yet: the debounce is 10 minutes"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)  # a polite shutdown_request, as JupyterLab sends
    got = read_responses(path, MINI)[1].set_index("id")
    assert got.at["5-a", "answer"] == "partial" and got.at["5-a", "owner"] == "Mr. Liu"


def test_exit_during_a_conflict_keeps_ours_beside_the_file(tmp_path):
    from qmskit.forms.session import flush_open_sessions
    form = saved_form(tmp_path)
    path = form.session.path
    meta, frame = read_responses(path, MINI)
    write_responses(path, {**meta, "assessor": "Them"}, frame, MINI, backup=False)
    form.card("5-a").answer.value = "no"
    time.sleep(0.3)
    assert form.session.status == CONFLICT
    flush_open_sessions()  # what atexit runs when the kernel shuts down
    copies = list(tmp_path.glob("o.unsaved-*.yaml"))
    assert len(copies) == 1 and saved(copies[0], "5-a") == "no", "ours is kept beside theirs"
    assert read_responses(path, MINI)[0]["assessor"] == "Them", "theirs is not overwritten"
    form.close()


def test_card_colour_of_an_answer_without_points_is_none_not_a_crash():
    """mypy found answer_colour comparing None points (``None >= 1`` raises TypeError). Through the form every
    answered, applicable question has points, so it did not happen there; a score lagging behind an answer
    would have raised inside the widget callback. Now: no colour until scored."""
    from qmskit.forms.question_card import answer_colour
    from qmskit.render import palette
    assert answer_colour(None, "yes") == "4px solid transparent"
    assert answer_colour(None, None) == "4px solid transparent"
    assert answer_colour(None, "n/a") == f"4px solid {palette.ANSWER['na'].ink}"
    assert answer_colour(1.0, "yes") == f"4px solid {palette.ANSWER['met'].ink}"
    assert answer_colour(0.5, "partial") == f"4px solid {palette.ANSWER['partial'].ink}"
    assert answer_colour(0.0, "no") == f"4px solid {palette.ANSWER['not_met'].ink}"


def test_header_escapes_the_office_and_takes_the_band_colour_from_the_palette(tmp_path):
    from qmskit.render import palette
    form = AssessmentForm(MINI, tmp_path / "o.yaml", office="<img src=x onerror=alert(1)> & Co", poll=None,
                          debounce=0.05)
    fill(form, "4.1-a", "yes", evidence="Context analysis v2")
    header = form.score_html.value
    assert "<img" not in header and "&lt;img src=x onerror=alert(1)&gt; &amp; Co" in header
    assert f"background:{palette.band_colour(form.assessment.display_band)}" in header
    zh = AssessmentForm(MINI, tmp_path / "o.yaml", lang="zh", poll=None, debounce=0.05)
    assert "完成度" in zh.score_html.value and "显示" in zh.filter_label.value
    assert "<b>4.1-a</b>" in zh.card("4.1-a").title.value and "关键" in zh.card("4.1-a").title.value
    form.close()
    zh.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_form_excludes_clauses_and_refuses_what_the_checklist_does_not_allow(tmp_path, full_checklist, lang):
    """ISO 9001 4.3 exclusions from the form's details tab: the blank answers of an excluded clause score
    n/a (justified by the exclusion) at once and the value is saved to the Office sheet, so the report
    and `qmskit score` read the same; a clause the checklist cannot exclude is named under the box, in the
    form's language, and not saved (the file always reads back)."""
    path = tmp_path / "office.xlsx"
    form = AssessmentForm(full_checklist, path, office="Exclusions", lang=lang, poll=None, debounce=0.05)
    fill(form, "4.1-a", "yes", evidence="Context review 2026")
    design = form.assessment.questions.loc[lambda q: q["clause"].str.startswith("8.3"), "id"].tolist()
    assert design and not (form.assessment.questions.set_index("id").loc[design, "answer"] == "n/a").any()

    form.meta_widgets["excluded_clauses"].value = "8.3: we design no services"
    q = form.assessment.questions.set_index("id")
    assert (q.loc[design, "answer"] == "n/a").all() and not q.loc[design, "applicable"].any()
    assert form.exclusions_error.value == ""
    wait_saved(form.session)
    meta, _ = read_responses(path, full_checklist)
    assert meta["excluded_clauses"] == "8.3: we design no services"
    scored = qmskit.score(full_checklist, read_responses(path, full_checklist)[1], meta)
    assert scored.completeness == pytest.approx(form.assessment.completeness)

    for refused, named in [("4.1", "4.1-a"), ("9.9", "9.9")]:
        form.meta_widgets["excluded_clauses"].value = refused
        assert named in form.exclusions_error.value
        assert ("不能" in form.exclusions_error.value or "不是" in form.exclusions_error.value) == (lang == "zh")
        assert form.session.meta["excluded_clauses"] == "8.3: we design no services"  # not saved
    assert (form.assessment.questions.set_index("id").loc[design, "answer"] == "n/a").all()
    form.meta_widgets["excluded_clauses"].value = ""  # cleared: the clause is scored again
    assert form.exclusions_error.value == ""
    assert "excluded_clauses" not in form.session.meta
    assert not (form.assessment.questions.set_index("id").loc[design, "answer"] == "n/a").any()
    form.close()
