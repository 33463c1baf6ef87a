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


class _Held:
    """What ``interrupts_deferrable``'s handler needs to know."""

    depth = 0  # interrupts_deferred blocks open
    received = False  # a Ctrl-C came while one was


def _hold_or_raise(signum, frame):
    if _Held.depth:
        _Held.received = True
    else:
        raise KeyboardInterrupt


def _is_main_default() -> bool:
    return (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )


@contextmanager
def interrupts_deferrable():
    """A block in which :func:`interrupts_deferred` costs no signal call.

    Ctrl-C raises ``KeyboardInterrupt`` as usual inside it, except in a
    deferred block. Installing a handler costs two ``signal.signal`` calls,
    which an engine would otherwise pay for each candidate it tells.
    """
    if not _is_main_default():
        yield
        return
    signal.signal(signal.SIGINT, _hold_or_raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def interrupts_deferred():
    """Hold Ctrl-C until the block ends, then raise ``KeyboardInterrupt``.

    Python delivers signals to the main thread only, so elsewhere (and when
    an application installed its own SIGINT handler) this changes nothing.
    """
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGINT) is _hold_or_raise:
        _Held.depth += 1
        try:
            yield
        finally:
            _Held.depth -= 1
        if not _Held.depth and _Held.received:
            _Held.received = False
            raise KeyboardInterrupt
        return
    if not _is_main_default():
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
