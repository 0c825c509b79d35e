"""Live progress of ``buying-groups run`` and ``generate`` at a terminal.

A run's progress comes from Dagster's own event stream: :func:`progress_logger` is a Dagster
logger that turns step starts and asset materializations into one line per asset (elapsed
time, rows) and shows the running step with a ticking clock. Warnings from the pipeline's code
go to stderr as ``warning: <step>: <message>``; Dagster's own messages (and its stack traces)
stay in the run log file (:mod:`.runlog`), the CLI ends a failed run with one ``error:`` line.

Progress is drawn only when stdout is a terminal: piped into a file or a CI log, the command
prints its summary and nothing else.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

import dagster as dg

_CLEAR_LINE = "\r\x1b[K"
# Dagster attaches the run's context (step key, event, the message as logged) to each record.
_DAGSTER_META = "dagster_meta"
_TICK_SECONDS = 0.5


def rows_text(metadata: dict[str, Any]) -> str:
    """What a materialization produced, in words: its row count, or the files it found."""
    for key, unit in (("dagster/row_count", "rows"), ("new_files", "new files")):
        value = metadata.get(key)
        if value is not None:
            return f"{getattr(value, 'value', value):,} {unit}"
    return ""


class LiveLine:
    """One status line at a terminal, redrawn in place: ``running <step> 3.5s``. Lines printed
    through :meth:`print` appear above it. Thread-safe: a ticker thread redraws the clock."""

    def __init__(self, stream: IO[str], clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._lock = threading.Lock()
        self._label: str | None = None
        self._since = 0.0
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="progress-ticker", daemon=True)
        self._ticker.start()

    def _draw(self) -> None:
        if self._label is not None:
            self._stream.write(f"{_CLEAR_LINE}  ... {self._label} {self._clock() - self._since:.1f}s")
            self._stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(_TICK_SECONDS):
            with self._lock:
                self._draw()

    def show(self, label: str | None, since: float | None = None) -> None:
        with self._lock:
            self._label, self._since = label, self._clock() if since is None else since
            if label is None:
                self._stream.write(_CLEAR_LINE)
            self._draw()
            self._stream.flush()

    def print(self, text: str, stream: IO[str] | None = None) -> None:
        with self._lock:
            self._stream.write(_CLEAR_LINE)
            self._stream.flush()
            target = stream or self._stream
            target.write(text + "\n")
            target.flush()
            self._draw()

    def close(self) -> None:
        self._stop.set()
        self._ticker.join()
        self.show(None)


class RunConsole:
    """Turns a run's log records into what a person at the terminal should see."""

    def __init__(
        self,
        *,
        live: bool,
        warnings: bool,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        self._clock = clock
        self._warnings = warnings
        self._line = LiveLine(self._out, clock) if live else None
        self._started: dict[str, float] = {}

    def _print(self, text: str, *, error_stream: bool = False) -> None:
        stream = self._err if error_stream else self._out
        if self._line is not None:
            self._line.print(text, stream)
        else:
            stream.write(text + "\n")
            stream.flush()

    def _elapsed(self, step_key: str | None) -> float:
        return self._clock() - self._started.get(step_key or "", self._clock())

    def handle(self, record: logging.LogRecord) -> None:
        meta = getattr(record, _DAGSTER_META, None)
        if meta is None:
            return
        event = meta["dagster_event"]
        step_key = meta["step_key"]
        if event is None:
            # Our code's own warnings; Dagster's messages without an event (such as "dependencies
            # failed, not executing") are in the run log, and a failure ends in one error line.
            if self._warnings and record.levelno == logging.WARNING:
                self._print(f"warning: {step_key or 'run'}: {meta['orig_message']}", error_stream=True)
            return
        if self._line is None:
            return
        if event.event_type == dg.DagsterEventType.STEP_START and step_key:
            self._started[step_key] = self._clock()
            self._line.show(step_key, self._started[step_key])
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            key = materialization.asset_key.to_user_string()
            rows = rows_text(dict(materialization.metadata))
            self._print(f"  done {key:40s} {rows:>18s} {self._elapsed(step_key):7.1f}s")
        elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
            self._line.show(None)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE and step_key:
            self._line.show(None)
            self._print(f"  FAILED {step_key} after {self._elapsed(step_key):.1f}s")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed:
                self._print(f"  FAILED check {evaluation.check_name} on {evaluation.asset_key.to_user_string()}")

    def close(self) -> None:
        if self._line is not None:
            self._line.close()
            self._line = None


class _ConsoleHandler(logging.Handler):
    def __init__(self, console: RunConsole) -> None:
        super().__init__(logging.DEBUG)
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._console.handle(record)
        except Exception:  # a display problem must never fail the run
            self.handleError(record)


def progress_logger(console: RunConsole) -> dg.LoggerDefinition:
    """A Dagster logger feeding every record of the run to ``console``."""

    def _build(_init_context: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.Logger("buying_groups.progress", logging.DEBUG)
        logger.addHandler(_ConsoleHandler(console))
        return logger

    return dg.LoggerDefinition(_build, description="buying-groups terminal progress")


class GenerateProgress:
    """``generate``'s progress at a terminal: one line per drop, rows written so far."""

    def __init__(self, *, live: bool, out: IO[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._out = out or sys.stdout
        self._clock = clock
        self._started = clock()
        self._line = LiveLine(self._out, clock) if live else None

    def __call__(self, drop: str, rows: int, done: bool) -> None:
        if self._line is None:
            return
        if done:
            self._line.print(f"  done {drop:24s} {rows:>12,} rows {self._clock() - self._started:7.1f}s")
            self._started = self._clock()
        else:
            self._line.show(f"{drop}: {rows:,} rows", self._started)

    def close(self) -> None:
        if self._line is not None:
            self._line.close()
            self._line = None
