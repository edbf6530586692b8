"""Run the console in a pseudo-terminal and watch its screen like a user would.

The console's output is fed into ``pyte`` (a VT100 emulator), so a benchmark can wait
for text to *appear on the screen*, not merely in the byte stream, and can count the
bytes the console writes while idle.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[1]


class PtyConsole:
    """``opsconsole ARGS`` on a ``columns`` x ``lines`` pseudo-terminal."""

    def __init__(self, args: Sequence[str], columns: int = 120, lines: int = 36) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes_read = 0
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns),
               "LINES": str(lines), "TEXTUAL_ANIMATIONS": "none"}
        exe = ROOT / ".venv" / "bin" / "opsconsole"
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([str(exe), *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=env, cwd=ROOT, start_new_session=True)
        os.close(slave)
        self.master = master

    def pump(self, timeout: float) -> int:
        """Read what the console wrote within ``timeout`` s into the emulator."""
        got = 0
        ready, _, _ = select.select([self.master], [], [], timeout)
        while ready:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            got += len(data)
            self.stream.feed(data)
            ready, _, _ = select.select([self.master], [], [], 0)
        self.bytes_read += got
        return got

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 30.0) -> float:
        """Seconds from launch until ``needle`` is on screen. Raises TimeoutError."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            self.pump(0.01)
            if needle in self.text():
                return time.perf_counter() - self.started
        raise TimeoutError(f"{needle!r} not on screen after {timeout}s:\n{self.text()}")

    def cpu_seconds(self) -> float:
        """User + system CPU the console process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            self.press("q")
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.master)
