"""The batch's progress: a rich progress bar on a terminal (count, ETA, failures so far), a callback, or nothing."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

ProgressCallback = Callable[[int, int, int, str], Any]  # (done, total, failed, label)


class Progress:
    """Counts offices as they finish and shows it: on a terminal, through ``callback``, or not at all."""

    def __init__(self, total: int, callback: ProgressCallback | None = None, bar: Any = None, lang: str = "en"):
        self.total, self.done, self.failed, self.lang = total, 0, 0, lang
        self.callback, self.bar, self.task = callback, bar, None
        if bar is not None:
            bar.start()
            self.task = bar.add_task("offices", total=total, failed="")

    @classmethod
    def make(cls, progress: bool | ProgressCallback, total: int, lang: str = "en") -> Progress:
        """The bar's words (and the failures it prints) in ``lang``."""
        if callable(progress):
            return cls(total, callback=progress)
        if not progress or not sys.stderr.isatty():
            return cls(total)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from qmskit.i18n.catalog import t
        bar = Progress(TextColumn("[bold]" + t("batch.bar_label", lang)), BarColumn(), MofNCompleteColumn(),
                       TextColumn(t("batch.bar_eta", lang)), TimeRemainingColumn(), TimeElapsedColumn(),
                       TextColumn("[red]{task.fields[failed]}"), console=Console(stderr=True), transient=False)
        return cls(total, bar=bar, lang=lang)

    def advance(self, label: str, error: str | None) -> None:
        self.done += 1
        self.failed += bool(error)
        if self.callback:
            self.callback(self.done, self.total, self.failed, label)
        if self.bar is not None:
            from qmskit.i18n.catalog import say, t, tn
            failed = tn("batch.bar_failed", self.failed, self.lang) if self.failed else ""
            self.bar.update(self.task, advance=1, failed=failed)
            if error:
                from rich.text import Text

                from qmskit.cli._term import plain
                said = say(error, self.lang)
                text = said if label in said else t("errors.file", self.lang, path=label, detail=said)
                self.bar.console.print(Text.assemble((t("batch.bar_failed_mark", self.lang), "red"), " ", plain(text)),
                                       highlight=False, soft_wrap=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
