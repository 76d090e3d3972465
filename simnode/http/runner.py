"""Serving a WSGI app the way the node serves RPC: waitress in a background thread, HTTP/1.1
keep-alive, idle connections closed after -rpcservertimeout, requests it cannot parse answered
as libevent answers them, and connection closes on request (for fault injection: a reset, a
truncated body, a silently dropped keep-alive connection)."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import BadRequest, RequestEntityTooLarge, ServerNotImplemented

# What libevent writes for an error it answers itself (evhttp_send_error, http.c ERR_FORMAT), and
# the content type it gives a reply that set none (evhttp_maybe_add_content_type_header).
LIBEVENT_ERROR_PAGE = (
    "<HTML><HEAD>\n<TITLE>{code} {reason}</TITLE>\n</HEAD><BODY>\n"
    "<H1>{reason}</H1>\n</BODY></HTML>\n"
)
LIBEVENT_DEFAULT_CONTENT_TYPE = "text/html; charset=ISO-8859-1"
MAX_BODY_BYTES = 32 * 1024 * 1024  # MAX_SIZE, the node's evhttp_set_max_body_size


def libevent_error_page(status: int, reason: str) -> str:
    """The page libevent sends with an error it gives itself (400, 413, 501, 503)."""
    return LIBEVENT_ERROR_PAGE.format(code=status, reason=reason)


# A WSGI app may ask its server to drop the connection, by setting environ[CLOSE_CONNECTION] to:
BEFORE_RESPONSE = "before_response"  # close without answering
MID_BODY = "mid_body"  # send the headers and half the body, then close
RESET_MID_BODY = "reset_mid_body"  # send the headers and half the body, then reset (TCP RST)
AFTER_RESPONSE = "after_response"  # answer in full, then close without saying so
CLOSE_CONNECTION = "simnode.close_connection"


# Set by with_connection_control when the app's reply says "Connection: close": the server then
# says so itself and closes after the reply (WSGI apps may not send hop-by-hop headers).
ANNOUNCED_CLOSE = "simnode.announced_close"


def with_connection_control(app: Callable) -> Callable:
    """Wrap ``app`` so that ``environ[CLOSE_CONNECTION]`` closes the connection as asked, and a
    ``Connection: close`` header in its reply is carried out by the server.

    waitress closes a connection, writing nothing more, when the app's body raises
    ClientDisconnected; what was sent before that stays sent."""

    def wrapped(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() != "connection"]
            if len(kept) != len(headers):
                environ[ANNOUNCED_CLOSE] = True
            return start_response(status, kept, exc_info)

        body = app(environ, start)
        when = environ.get(CLOSE_CONNECTION)
        return body if when is None else _closing(body, when, environ)

    return wrapped


def _closing(body: Iterable[bytes], when: str, environ: dict[str, Any]) -> Iterator[bytes]:
    data = b"".join(body)
    if when in (MID_BODY, RESET_MID_BODY):
        yield data[: len(data) // 2]
    elif when == AFTER_RESPONSE:
        yield data
    if when == RESET_MID_BODY:
        _reset_on_close(environ)
    raise ClientDisconnected(when)


def _reset_on_close(environ: dict[str, Any]) -> None:
    """Make the close a TCP reset (SO_LINGER with a zero timeout). waitress offers no handle on
    the connection but the channel's own disconnect check, bound to the channel."""
    channel = getattr(environ.get("waitress.client_disconnected"), "__self__", None)
    connection = getattr(channel, "socket", None)
    if connection is not None:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class _LibeventErrorTask(ErrorTask):
    """A request waitress cannot take is answered as libevent answers it (evhttp_send_error):
    its error page, then the connection closed. A bad request line or header, or a header block
    over the limit, is 400 (waitress would say 431 for the latter; PAI Core 3.0.0 says 400,
    reference section 9); a body over MAX_BODY_BYTES is 413 (EVREQ_HTTP_DATA_TOO_LONG); a
    transfer coding other than chunked is 501."""

    def execute(self) -> None:
        error = self.request.error
        if isinstance(error, RequestEntityTooLarge):
            status, reason = 413, "Request Entity Too Large"
        elif isinstance(error, BadRequest):
            status, reason = 400, "Bad Request"
        elif isinstance(error, ServerNotImplemented):
            status, reason = 501, "Not Implemented"
        else:
            super().execute()
            return
        body = libevent_error_page(status, reason).encode("latin-1")
        self.version = "1.1"  # evhttp_request_new's default when the request line is unusable
        self.status = f"{status} {reason}"
        self.response_headers.append(("Content-Type", LIBEVENT_DEFAULT_CONTENT_TYPE))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _NodeTask(WSGITask):
    """Says ``Connection: close`` and closes after the reply when the app asked to, and keeps
    ``WWW-Authenticate`` spelled as the node sends it (waitress would write Www-Authenticate)."""

    def build_response_header(self) -> bytes:
        if self.environ is not None and self.environ.get(ANNOUNCED_CLOSE):
            self.set_close_on_finish()
        head: bytes = super().build_response_header()
        return head.replace(b"\r\nWww-Authenticate:", b"\r\nWWW-Authenticate:")


class _LibeventChannel(HTTPChannel):
    error_task_class = _LibeventErrorTask
    task_class = _NodeTask


class _LibeventServer(TcpWSGIServer):
    channel_class = _LibeventChannel


IDLE_CHECK_SECONDS = 1.0


class ServedNode:
    """Runs a WSGI app on waitress in a background thread: ``with ServedNode(app) as served``.

    HTTP/1.1 keep-alive as the node does it, idle connections closed after ``idle_timeout``
    (-rpcservertimeout, 30 s). Port 0 picks a free port; ``port`` tells which. ``stop`` closes
    every connection and joins every thread.
    """

    def __init__(
        self,
        app: Callable,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        threads: int = 21,  # enough to hold rpcthreads + rpcworkqueue and see the queue overflow
        idle_timeout: float = 30,
    ) -> None:
        self._server = _LibeventServer(
            with_connection_control(app),
            host=host,
            port=port,
            threads=threads,
            channel_timeout=idle_timeout,
            # waitress closes idle channels when its cleanup runs: every ``cleanup_interval``.
            # At 30 s a connection idle for 30 s lived up to 60 s (54 s seen); the node closes
            # at -rpcservertimeout. A check every second keeps the overshoot under a second.
            cleanup_interval=min(idle_timeout, IDLE_CHECK_SECONDS),
            ident="",  # the node sends no Server header
            # libevent refuses header blocks over 8 KB (MAX_HEADERS_SIZE) with a 400.
            max_request_header_size=8192,
            max_request_body_size=MAX_BODY_BYTES,
            expose_tracebacks=False,
            clear_untrusted_proxy_headers=False,
        )
        self.host = host
        # waitress reports the port as text; clients (and the fixture's users) want a number.
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._server.run, name="simnode-server", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> ServedNode:
        self._thread.start()
        return self

    def stop(self) -> None:
        server = self._server
        # Requests in progress finish first: a worker wakes the loop through the trigger when it
        # is done, and would write to a closed trigger (EBADF) if the loop had closed it already.
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        if self._thread.is_alive():
            try:
                server.trigger.pull_trigger(lambda: _close_all(server._map))  # type: ignore[union-attr]
            except OSError:  # the wake-up pipe is gone: close from here, the loop ends on its
                _close_all(server._map)  # next turn (asyncore_loop_timeout, 1 s) with nothing left
            self._thread.join()
        else:
            _close_all(server._map)  # type: ignore[union-attr]

    def __enter__(self) -> ServedNode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _close_all(socket_map: dict) -> None:
    """Close the listening socket, every client connection and the trigger: the loop then ends.
    One that fails to close (its fd already gone) does not keep the others open."""
    for dispatcher in list(socket_map.values()):
        try:
            dispatcher.close()
        except OSError:
            socket_map.pop(dispatcher._fileno, None)  # what del_channel would have done
