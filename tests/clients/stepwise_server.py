"""Starts and stops one `stepwise serve` process for the client suites (loopback only).

StepwiseServer picks a free port, starts the server with the given flags, waits until the port
accepts connections, and on stop() sends SIGTERM and returns the exit code, so callers can check
the graceful shutdown of issue 3 (exit 0). The server's stdout/stderr go to a log file whose tail
is shown when something goes wrong.

Thread-safety: one instance per thread; the process it starts is its own.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time

START_TIMEOUT_S = 30   # a cold start on a loaded 2-core machine is well under this
STOP_TIMEOUT_S = 20    # the server drains for at most 5 s (docs/API.md)
START_ATTEMPTS = 3


class PortTaken(Exception):
    """The server could not bind the port it was given."""


def free_port():
    """A port the kernel considers free right now (a tiny race with other binders remains)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StepwiseServer:
    # What the client suites run with: nothing on disk, waits and timeouts at once.
    TEST_ARGS = ("--store", "memory", "--fast-time")

    def __init__(self, binary, extra_args=(), log_dir=None, base_args=TEST_ARGS):
        self.binary = binary
        self.base_args = list(base_args)
        self.extra_args = list(extra_args)
        self.log_dir = log_dir or tempfile.mkdtemp(prefix="stepwise-clients-")
        self.port = None
        self.proc = None
        self.log_path = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        """Starts the server; a port taken between free_port() and the server's bind (another
        test grabbed it) is retried on a new port, up to START_ATTEMPTS times."""
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                return self._start_once()
            except PortTaken:
                if attempt == START_ATTEMPTS:
                    raise RuntimeError(f"no free port after {attempt} attempts:\n"
                                       f"{self.log_tail()}")

    def _start_once(self):
        self.port = free_port()
        args = [self.binary, "serve", "--port", str(self.port)] + self.base_args + \
            self.extra_args
        self.log_path = os.path.join(self.log_dir, f"serve-{self.port}.log")
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        except OSError as e:
            raise RuntimeError(f"cannot start `{' '.join(args)}`: {e}") from e
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if "in use" in self.log_tail():
                    raise PortTaken()
                raise RuntimeError(f"`{' '.join(args)}` exited with {self.proc.returncode} "
                                   f"before listening:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"`{' '.join(args)}` did not listen within {START_TIMEOUT_S} s:\n"
                           f"{self.log_tail()}")

    def stop(self):
        """SIGTERM, then the exit code (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
