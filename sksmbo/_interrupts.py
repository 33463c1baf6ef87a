"""Ctrl-C that never leaves a search's bookkeeping half done (issue 19).

A search keeps what it evaluated whenever Ctrl-C (SIGINT) lands. Most of the
loop may simply be interrupted: the search stops and keeps its results. The
few steps that update several pieces of state together (telling the
optimizer, recording the round, writing a checkpoint) run with the interrupt
held back until they are complete.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


@contextmanager
def interrupts_deferred():
    """Hold Ctrl-C until the block ends, then raise ``KeyboardInterrupt``.

    Python delivers signals to the main thread only, so elsewhere (and when
    an application installed its own SIGINT handler) this changes nothing.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    received = []
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if received:
        raise KeyboardInterrupt
