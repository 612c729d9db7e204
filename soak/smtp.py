"""A fake mail server for `make soak`, switched between three modes by the harness while the mail worker
sends the outbox through it:

- "up": speaks enough SMTP (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT) to receive messages, and
  records each one it accepts: in memory, and as one JSON line in a file if given one;
- "hang": accepts connections and never answers (a server that is stuck, or a black-holed network);
- "down": its port is closed, so connections are refused.

A change of mode is what a mail server does when it goes away or comes back: connections already open see
the new mode at their next command ("down": 421 and closed; "hang": no answer any more), and connections held
in a hang are closed when the mode leaves "hang" (the server was restarted). A message is recorded exactly
when its 250 is sent, under the same lock as a change of mode, so the server never makes a duplicate of its
own: a message recorded twice was sent twice by the client.

Standard library only. `python soak/smtp.py --port 2525` runs it alone; type up, hang or down to switch.
"""

import argparse
import contextlib
import json
import select
import socket
import threading
import time
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

MODES = ("up", "hang", "down")
POLL_SECONDS = 0.05  # how often a waiting thread looks at the mode and the stop flag
MAX_LINE = 64 * 1024  # longer command lines are refused: nothing the mail worker sends comes close
MAX_MESSAGE = 20 * 1024 * 1024


class ClientClosed(Exception):
    """The client closed the connection (or it broke)."""


class ServerClosing(Exception):
    """The server closes the connection: it is stopping, or a hang it held has ended."""


class FakeSMTPServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, record_path: Path | None = None):
        self.host = host
        self.port = port  # 0: a free port is chosen on the first start, and kept for later re-openings
        self.record_path = Path(record_path) if record_path else None
        self.hostname = "soak-smtp.invalid"
        self.lock = threading.Condition()
        self.mode = "down"
        self.generation = 0  # grows with each set_mode(); the accept thread says which one it applied
        self.applied = 0
        self.stopping = False
        self.listener: socket.socket | None = None
        self.accept_thread: threading.Thread | None = None
        self.session_threads: list[threading.Thread] = []
        self.received: list[dict] = []
        self.connections: list[dict] = []  # one per accepted connection: how it went
        self.mode_changes: list[tuple[float, str]] = []  # (time.monotonic(), mode)
        self.record_file = None

    # Control, from the harness

    def start(self, mode: str = "up") -> None:
        if self.record_path:
            self.record_path.parent.mkdir(parents=True, exist_ok=True)
            self.record_file = self.record_path.open("a", encoding="utf-8")
        self.accept_thread = threading.Thread(target=self._accept_loop, name="fake-smtp-accept", daemon=True)
        self.accept_thread.start()
        self.set_mode(mode)

    def set_mode(self, mode: str, timeout: float = 5.0) -> None:
        """Switch modes; returns once the port is open or closed as the mode wants."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        with self.lock:
            self.mode = mode
            self.generation += 1
            self.mode_changes.append((time.monotonic(), mode))
            wanted = self.generation
            self.lock.notify_all()
            if not self.lock.wait_for(lambda: self.applied >= wanted or self.stopping, timeout):
                raise RuntimeError(f"the fake mail server did not switch to {mode!r} within {timeout} s")

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            self.lock.notify_all()
        if self.accept_thread:
            self.accept_thread.join(timeout=5)
        for thread in list(self.session_threads):
            thread.join(timeout=5)
        if self.record_file:
            self.record_file.close()
            self.record_file = None

    def snapshot(self) -> dict:
        """What happened so far: the messages received and the connections, copied."""
        with self.lock:
            return {
                "received": [dict(message) for message in self.received],
                "connections": [dict(connection) for connection in self.connections],
                "mode_changes": list(self.mode_changes),
            }

    # The listening socket, owned by the accept thread alone (closing a socket another thread waits on is
    # unsafe), which opens or closes it whenever the mode asks.

    def _open_listener(self) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Connections of an earlier opening may linger in TIME_WAIT: they must not keep the port.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        return listener

    def _accept_loop(self) -> None:
        try:
            while True:
                with self.lock:
                    if self.stopping:
                        return
                    mode, generation = self.mode, self.generation
                    if mode == "down" and self.listener is not None:
                        self.listener.close()
                        self.listener = None
                    elif mode != "down" and self.listener is None:
                        self.listener = self._open_listener()
                    self.applied = generation
                    self.lock.notify_all()
                    listener = self.listener
                if listener is None:
                    with self.lock:
                        self.lock.wait(POLL_SECONDS)
                    continue
                readable, _writable, _errors = select.select([listener], [], [], POLL_SECONDS)
                if not readable:
                    continue
                try:
                    connection, _address = listener.accept()
                except OSError:
                    continue
                self._start_session(connection)
        finally:
            with self.lock:
                if self.listener is not None:
                    self.listener.close()
                    self.listener = None
                self.lock.notify_all()

    def _start_session(self, connection: socket.socket) -> None:
        with self.lock:
            mode = self.mode
            record = {
                "number": len(self.connections) + 1,
                "mode": mode,  # at the time it was accepted
                "opened": time.monotonic(),
                "closed": None,
                "closed_by": None,  # "client" or "server"
                "hung_seconds": None,  # how long it was held without an answer
                "messages": 0,
            }
            self.connections.append(record)
        if mode == "down":  # accepted in the instant the port was being closed: as good as refused
            connection.close()
            record.update(closed=time.monotonic(), closed_by="server")
            return
        thread = threading.Thread(
            target=self._serve, args=(connection, record), name=f"fake-smtp-{record['number']}", daemon=True
        )
        self.session_threads = [alive for alive in self.session_threads if alive.is_alive()]
        self.session_threads.append(thread)
        thread.start()

    # One connection

    def _serve(self, connection: socket.socket, record: dict) -> None:
        session = _Session(self, connection, record)
        try:
            session.run()
        except ClientClosed:
            record["closed_by"] = record["closed_by"] or "client"
        except ServerClosing:
            record["closed_by"] = "server"
        except OSError:
            record["closed_by"] = record["closed_by"] or "client"
        finally:
            record["closed"] = time.monotonic()
            with contextlib.suppress(OSError):
                connection.close()

    def _accept_message(self, session: "_Session", data: bytes) -> str:
        """At the end of DATA: record the message and answer 250 if the server is up, as one step."""
        with self.lock:
            if self.mode != "up":
                return self.mode
            message = describe_message(data)
            message.update(
                received_at=time.time(),
                monotonic=time.monotonic(),
                connection=session.record["number"],
                mail_from=session.mail_from,
                rcpt_to=list(session.recipients),
            )
            self.received.append(message)
            session.record["messages"] += 1
            if self.record_file:
                self.record_file.write(json.dumps(message) + "\n")
                self.record_file.flush()
            session.send("250 2.0.0 Ok: queued")
            return "up"


def describe_message(data: bytes) -> dict:
    """The headers a check needs from a received message: its subject, Message-ID and To."""
    headers = BytesParser(policy=default_policy).parsebytes(data, headersonly=True)
    return {
        "subject": str(headers.get("Subject", "")),
        "message_id": str(headers.get("Message-ID", "")).strip(),
        "to": str(headers.get("To", "")),
        "bytes": len(data),
    }


def address_of(argument: str) -> str:
    """The address in "FROM:<a@b>" or "TO:<a@b> SIZE=12"."""
    _keyword, _colon, rest = argument.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        return rest[1 : rest.find(">")] if ">" in rest else rest[1:]
    return rest.split(" ", 1)[0]


class _Session:
    """One client's SMTP conversation."""

    def __init__(self, server: FakeSMTPServer, connection: socket.socket, record: dict):
        self.server = server
        self.connection = connection
        self.record = record
        self.buffer = b""
        self.mail_from: str | None = None
        self.recipients: list[str] = []
        connection.settimeout(POLL_SECONDS)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # answers are small: send them now

    def send(self, line: str) -> None:
        self.connection.sendall(line.encode() + b"\r\n")

    def run(self) -> None:
        if self.record["mode"] == "hang":
            self.hang()
        self.send(f"220 {self.server.hostname} ESMTP soak test server")
        while True:
            line = self.read_line()
            mode = self.server.mode
            if mode == "down":
                self.send("421 4.3.2 Service shutting down")
                raise ServerClosing
            if mode == "hang":
                self.hang()
            if not self.answer(line):
                return

    def answer(self, line: bytes) -> bool:
        """Answer one command; False once the conversation is over."""
        text = line.decode("utf-8", "replace").strip()
        verb, _space, argument = text.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            self.reset()
            # One write for the three lines: written apart, the second would wait for the client's delayed
            # ACK of the first (Nagle), some 40 ms per connection.
            greeting = f"250-{self.server.hostname} greets {argument or 'you'}"
            self.send(f"{greeting}\r\n250-8BITMIME\r\n250 SIZE {MAX_MESSAGE}")
        elif verb == "HELO":
            self.reset()
            self.send(f"250 {self.server.hostname}")
        elif verb == "MAIL" and argument.upper().startswith("FROM:"):
            self.reset()
            self.mail_from = address_of(argument)
            self.send("250 2.1.0 Ok")
        elif verb == "RCPT" and argument.upper().startswith("TO:"):
            if self.mail_from is None:
                self.send("503 5.5.1 Error: need MAIL command")
            else:
                self.recipients.append(address_of(argument))
                self.send("250 2.1.5 Ok")
        elif verb == "DATA":
            if not self.recipients:
                self.send("503 5.5.1 Error: need RCPT command")
                return True
            self.send("354 End data with <CR><LF>.<CR><LF>")
            data = self.read_data()
            outcome = self.server._accept_message(self, data)
            if outcome == "down":
                self.send("421 4.3.2 Service shutting down")
                raise ServerClosing
            if outcome == "hang":
                self.hang()
            self.reset()
        elif verb == "RSET":
            self.reset()
            self.send("250 2.0.0 Ok")
        elif verb == "NOOP":
            self.send("250 2.0.0 Ok")
        elif verb == "VRFY":
            self.send("252 2.0.0 Cannot verify, but will accept")
        elif verb == "QUIT":
            self.send("221 2.0.0 Bye")
            self.record["closed_by"] = "client"
            return False
        else:
            self.send("502 5.5.2 Error: command not recognized")
        return True

    def reset(self) -> None:
        self.mail_from = None
        self.recipients = []

    def read_line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE + MAX_MESSAGE:
                raise ServerClosing
            self.buffer += self.receive()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def read_data(self) -> bytes:
        """The message after DATA, up to the line holding a single dot, with dot-stuffing undone."""
        lines = []
        size = 0
        while True:
            line = self.read_line()
            if line == b".":
                return b"\r\n".join(lines) + b"\r\n"
            if line.startswith(b"."):
                line = line[1:]
            size += len(line) + 2
            if size > MAX_MESSAGE:
                raise ServerClosing
            lines.append(line)

    def receive(self) -> bytes:
        """The next bytes from the client, waiting as long as it takes, unless the server stops."""
        while True:
            if self.server.stopping:
                raise ServerClosing
            try:
                chunk = self.connection.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                raise ClientClosed
            return chunk

    def hang(self) -> None:
        """Hold the connection without a word until the client gives up (returns never) or the hang ends."""
        started = time.monotonic()
        try:
            while True:
                if self.server.stopping or self.server.mode != "hang":
                    raise ServerClosing
                try:
                    chunk = self.connection.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    raise ClientClosed
                # Whatever the client says meanwhile goes unanswered.
        finally:
            self.record["hung_seconds"] = round(time.monotonic() - started, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake SMTP server: type up, hang or down to switch modes.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--record", type=Path, help="append each received message to this JSON-lines file")
    parser.add_argument("--mode", choices=MODES, default="up")
    args = parser.parse_args()
    server = FakeSMTPServer(args.host, args.port, args.record)
    server.start(args.mode)
    print(f"Fake SMTP server on {args.host}:{server.port}, {args.mode}. Type up, hang or down; Ctrl-D stops.")
    try:
        for line in iter(input, None):
            if line.strip() in MODES:
                server.set_mode(line.strip())
                print(f"now {line.strip()}")
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        server.stop()
        print(f"{len(server.received)} messages received.")


if __name__ == "__main__":
    main()
