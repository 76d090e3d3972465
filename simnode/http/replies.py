"""The replies the node's HTTP server writes: JSON-RPC replies handed to the server as they are,
and the plain and error pages libevent writes itself.

A JSON-RPC reply is the hot path of every client, so it skips werkzeug's Response (whose header
handling cost more than answering a small call) and, when it is large, waitress's output buffer
(which copied a 773 kB getpeerinfo in and out again on every request; a fresh large buffer costs
page faults, ten times its copy). Everything else is a werkzeug Response, as before.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response
from werkzeug.wsgi import ClosingIterator

from simnode.http.runner import LIBEVENT_DEFAULT_CONTENT_TYPE, libevent_error_page

WWW_AUTHENTICATE = 'Basic realm="jsonrpc"'
# A reply at least this large is sent from its chunks (ReplyFile); a smaller one is joined into
# one chunk, which waitress sends with one send() after the headers.
SEND_FROM_CHUNKS_BYTES = 64 * 1024


def status_line(status: int) -> str:
    """libevent's reason phrases ("401 Unauthorized"); werkzeug would upper-case them."""
    return f"{status} {HTTP_STATUS_CODES[status]}"


class ReplyFile:
    """A reply's chunks read as one seekable file, for the server's ``wsgi.file_wrapper``:
    waitress sends straight from the chunks (each read returns a view of one chunk; a short
    read is fine, it sends what it gets and reads again) instead of copying them. The server
    closes it once it has sent it all, or the connection is gone: ``on_close`` runs then."""

    def __init__(self, chunks: list[bytes], on_close: Callable[[], None] | None = None) -> None:
        self._views = [memoryview(chunk) for chunk in chunks if chunk]
        self._ends = list(accumulate(len(view) for view in self._views))
        self._size = self._ends[-1] if self._ends else 0
        self._position = 0
        self._on_close = on_close

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._position, self._size)[whence]
        self._position = min(max(base + offset, 0), self._size)
        return self._position

    def read(self, size: int = -1) -> memoryview | bytes:
        """At most ``size`` bytes from the position, within the chunk the position is in."""
        if self._position >= self._size:
            return b""
        index = bisect_right(self._ends, self._position)
        view = self._views[index]
        view = view[self._position - (self._ends[index] - len(view)) :]
        if 0 <= size < len(view):
            view = view[:size]
        self._position += len(view)
        return view

    def close(self) -> None:
        self._views, self._ends, self._size = [], [], 0
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()


class JSONReply:
    """A WSGI response with a JSON-RPC reply body: exactly ``application/json`` (some clients
    reject a charset suffix) and its length, nothing else (waitress adds Date and Connection)."""

    __slots__ = ("chunks", "on_close", "status")

    def __init__(self, status: int, chunks: list[bytes]) -> None:
        self.status = status
        self.chunks = chunks
        self.on_close: Callable[[], None] | None = None

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    def call_on_close(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the server has sent the reply."""
        self.on_close = callback

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        size = sum(map(len, self.chunks))
        start_response(
            status_line(self.status),
            [("Content-Type", "application/json"), ("Content-Length", str(size))],
        )
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None and size >= SEND_FROM_CHUNKS_BYTES:
            return wrapper(ReplyFile(self.chunks, self.on_close))  # type: ignore[no-any-return]
        body = [self.chunks[0] if len(self.chunks) == 1 else self.body]
        return body if self.on_close is None else ClosingIterator(body, self.on_close)


def plain(status: int, body: str = "") -> Response:
    response = Response(body.encode(), status=status_line(status))
    if body:
        response.headers["Content-Type"] = LIBEVENT_DEFAULT_CONTENT_TYPE
    else:
        del response.headers["Content-Type"]
    return response


def unauthorized() -> Response:
    response = plain(401)
    response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def libevent_error(status: int, reason: str) -> Response:
    response = plain(status, libevent_error_page(status, reason))
    response.headers["Connection"] = "close"
    return response
