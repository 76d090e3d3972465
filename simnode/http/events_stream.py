"""The live page's updates as server-sent events, without holding a server worker forever.

A stream is one GET of ``/simnode/stream``: the node's state as one ``data:`` event when it
changes (and at least every ``HEARTBEAT_SECONDS`` so a dead client is noticed), for at most
``STREAM_SECONDS``; then the response ends with a ``retry:`` hint and the browser's EventSource
reconnects by itself. So an open page holds a waitress worker only while a stream runs, a page
left open costs no thread once its tab is closed (the next write fails and the stream ends),
at most ``MAX_STREAMS`` run at once (a page over that falls back to polling ``/simnode/state``),
and stopping the server ends every stream at once (``close``). One rendering of the state,
cached for ``RENDER_SECONDS``, serves every open page.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from simnode.http.admin_api import AdminAPI, state

INTERVAL_SECONDS = 0.5  # how often a stream looks for a change
HEARTBEAT_SECONDS = 5.0
STREAM_SECONDS = 20.0
RETRY_MILLISECONDS = 500
MAX_STREAMS = 4
RENDER_SECONDS = 0.25


class StateStream:
    def __init__(self, api: AdminAPI) -> None:
        self._api = api
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._open = 0
        self._rendered: tuple[float, str] = (float("-inf"), "")

    @property
    def open_streams(self) -> int:
        return self._open

    def close(self) -> None:
        self._closing.set()

    def render(self) -> str:
        """The state as one JSON line, shared by every stream for RENDER_SECONDS."""
        with self._lock:
            at, text = self._rendered
            now = time.monotonic()
            if now - at >= RENDER_SECONDS:
                text = json.dumps(state(self._api, {}), separators=(",", ":"))
                self._rendered = (now, text)
            return text

    def events(self, environ: dict[str, Any]) -> Iterator[bytes]:
        with self._lock:
            admitted = self._open < MAX_STREAMS and not self._closing.is_set()
            if admitted:
                self._open += 1
        if not admitted:  # the page polls instead, and tries the stream again later
            yield b"event: busy\ndata: {}\n\n"
            return
        try:
            yield from self._run(environ)
        finally:
            with self._lock:
                self._open -= 1

    def _run(self, environ: dict[str, Any]) -> Iterator[bytes]:
        yield f"retry: {RETRY_MILLISECONDS}\n\n".encode()
        disconnected = environ.get("waitress.client_disconnected", lambda: False)
        ends = time.monotonic() + STREAM_SECONDS
        last, last_sent = "", 0.0
        while time.monotonic() < ends and not disconnected():
            text = self.render()
            now = time.monotonic()
            if text != last:
                yield f"event: state\ndata: {text}\n\n".encode()
                last, last_sent = text, now
            elif now - last_sent >= HEARTBEAT_SECONDS:
                yield b": still here\n\n"
                last_sent = now
            if self._closing.wait(INTERVAL_SECONDS):
                return
