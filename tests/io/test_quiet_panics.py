"""While calamine runs in this process, what is written to descriptor 2 is held: dropped after a Rust
panic (its own words and a backtrace hint, found by a hostile-file session), else written out as it came."""
from __future__ import annotations

import os

import pytest

from qmskit.io.quiet_panics import quiet_rust_panics


class PanicException(BaseException):   # (named as pyo3's: the reader knows a panic by its type's name)
    pass


def test_output_without_a_panic_is_written_out_as_it_came(capfd):
    with quiet_rust_panics():
        os.write(2, b"a warning meanwhile\n")
        assert capfd.readouterr().err == ""      # (held while calamine runs)
    assert capfd.readouterr().err == "a warning meanwhile\n"


def test_a_panics_own_output_is_dropped_and_the_panic_goes_on(capfd):
    with pytest.raises(PanicException), quiet_rust_panics():
        os.write(2, b"another thread's warning\n")
        os.write(2, b"\nthread '<unnamed>' (25100) panicked at chrono-0.4.45/src/lib.rs:717:17:\n"
                    b"TimeDelta::milliseconds out of bounds\nstack backtrace:\n   0: rust_begin_unwind\n"
                    b"note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n")
        os.write(2, b"\nthread '<unnamed>' (25100) panicked at chrono-0.4.45/src/lib.rs:717:17:\nagain\n")
        raise PanicException("TimeDelta::milliseconds out of bounds")
    assert capfd.readouterr().err == "another thread's warning\n"   # (what came before the panic's report)
    with quiet_rust_panics():                    # (and the next use starts afresh)
        os.write(2, b"later\n")
    assert capfd.readouterr().err == "later\n"


def test_nested_uses_share_one_redirection(capfd):
    with quiet_rust_panics():
        with quiet_rust_panics():
            os.write(2, b"inner\n")
        os.write(2, b"outer\n")
    assert capfd.readouterr().err == "inner\nouter\n"
