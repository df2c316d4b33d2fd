"""A live progress line for long scans, the same on every backend: blocks done/total, rate, ETA.

On a terminal the line redraws in place (at most every 0.2 s); into a file or pipe, a line is
written every 10 s and at the end, so logs stay readable.
"""

from __future__ import annotations

import sys
import time

__all__ = ["BlockProgress"]


class BlockProgress:
    def __init__(self, total: int, stream=None, enabled: bool = True):
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()
        self._last = -1e9
        self._open_line = False
        if enabled and total == 0:
            self.stream.write("nothing to compute: every block is done\n")

    def line(self) -> str:
        elapsed = time.perf_counter() - self.t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        width = 30
        fill = int(width * self.done / self.total) if self.total else width
        eta_text = f"{eta:5.0f} s" if eta == eta else "    ? s"
        return (f"[{'#' * fill}{' ' * (width - fill)}] {self.done}/{self.total} blocks  "
                f"{rate:6.2f} blocks/s  elapsed {elapsed:5.0f} s  ETA {eta_text}")

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if not self.enabled:
            return
        every = 0.2 if self.tty else 10.0
        if self.done >= self.total or now - self._last >= every:
            self._last = now
            end = "\r" if self.tty and self.done < self.total else "\n"
            self.stream.write(self.line() + end)
            self.stream.flush()
            self._open_line = end == "\r"

    def close(self) -> None:
        """End a line left open on a terminal, so what follows starts on its own line."""
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False
