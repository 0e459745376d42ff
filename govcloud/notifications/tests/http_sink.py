"""A small threaded HTTP server for tests, on a free loopback port: it records every request it
receives (path, query, JSON body) and answers as the test sets it — accept, fail with a status,
answer too slowly, or check a DingTalk signature like the real robot does. Stopping it makes the
gateway "down" (connection refused); starting a new one on the same port brings it back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    body: object
    headers: dict[str, str]


@dataclass
class Behaviour:
    status: int = 200
    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok", "code": "OK"})
    delay: float = 0.0
    # DingTalk: refuse (errcode 310000) a request whose timestamp/sign do not match this secret.
    dingtalk_secret: str = ""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # quiet
        pass

    def do_POST(self):
        server: HttpSink = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = raw.decode("utf-8", "replace")
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        behaviour = server.behaviour
        if behaviour.delay:
            time.sleep(behaviour.delay)
        status, answer = behaviour.status, behaviour.answer
        if behaviour.dingtalk_secret and not _dingtalk_ok(query, behaviour.dingtalk_secret):
            status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
        accepted = status == 200 and answer.get("errcode", 0) == 0
        with server.lock:
            server.received.append(Received(parts.path, query, body, dict(self.headers)))
            if accepted:
                server.accepted.append(body)
        payload = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            pass


def _dingtalk_ok(query: dict[str, list[str]], secret: str) -> bool:
    try:
        timestamp = query["timestamp"][0]
        sign = query["sign"][0]
    except (KeyError, IndexError):
        return False
    if abs(int(timestamp) - int(time.time() * 1000)) > 3600 * 1000:
        return False
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    return hmac.compare_digest(sign, expected)


class HttpSink(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0, behaviour: Behaviour | None = None):
        super().__init__(("127.0.0.1", port), _Handler)
        self.behaviour = behaviour or Behaviour()
        self.received: list[Received] = []
        self.accepted: list[object] = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/send") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> HttpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
