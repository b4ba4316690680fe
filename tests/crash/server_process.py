"""One `stepwise serve` on a fixed port and data dir, killed and restarted by a crash test
(crash_test.py, services_crash_test.py)."""
import os
import signal
import socket
import subprocess
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`extra_args` follow `serve --port P --data-dir D`; `ready(port)` is True once the server
    answers (False while it does not yet)."""

    def __init__(self, binary, work, extra_args, ready, ready_timeout_s, port_wait_s):
        self.binary, self.work, self.extra_args = binary, work, list(extra_args)
        self.ready, self.ready_timeout_s, self.port_wait_s = ready, ready_timeout_s, port_wait_s
        self.data_dir = os.path.join(work, "data")
        self.port = free_port()
        self.proc = None
        self.generation = 0
        self.port_waits = 0
        self.log_path = None

    def start(self):
        """Starts the server and waits until it answers. A start refused with "Address already in
        use" is retried for port_wait_s and counted in port_waits: the killed server's listening
        socket can outlive it in its function worker processes (the socket is inherited, not
        close-on-exec) until they see their stdin close and exit. Reported, not failed."""
        self.generation += 1
        self.log_path = os.path.join(self.work, f"server-{self.generation}.log")
        end = time.monotonic() + self.port_wait_s
        waited = False
        while not self._start_once():
            if time.monotonic() > end:
                raise RuntimeError(f"port {self.port} still in use after {self.port_wait_s} s")
            waited = True
            time.sleep(0.1)
        self.port_waits += waited

    def _start_once(self):
        """True once the server answers; False if it could not bind its port."""
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data_dir]
                + self.extra_args,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        end = time.monotonic() + self.ready_timeout_s
        while True:
            if self.proc.poll() is not None:
                if "Address already in use" in self.tail(3):
                    return False
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.tail()}")
            if self.ready(self.port):
                return True
            if time.monotonic() > end:
                raise RuntimeError(f"server not ready in {self.ready_timeout_s} s:\n{self.tail()}")
            time.sleep(0.05)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""
