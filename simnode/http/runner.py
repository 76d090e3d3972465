"""Serving a WSGI app the way the node serves RPC: waitress in a background thread, HTTP/1.1
keep-alive, idle connections closed after -rpcservertimeout, requests it cannot parse answered
as libevent answers them, and connection closes on request (for fault injection: a reset, a
truncated body, a silently dropped keep-alive connection)."""

from __future__ import annotations

import functools
import logging
import resource
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from waitress import wasyncore
from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask
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

# A WSGI app may ask for its reply to be sent no sooner than environ[REPLY_DELAY] seconds from
# now. The worker thread writes it at once and is free; the event loop sends it when it is due.
REPLY_DELAY = "simnode.reply_delay"


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
    """Says ``Connection: close`` and closes after the reply when the app asked to, holds the
    reply back when the app asked for a delay, and keeps ``WWW-Authenticate`` spelled as the
    node sends it (waitress would write Www-Authenticate)."""

    channel: _LibeventChannel

    def build_response_header(self) -> bytes:
        environ = self.environ or {}
        if environ.get(ANNOUNCED_CLOSE):
            self.set_close_on_finish()
        delay = environ.get(REPLY_DELAY)
        if delay:  # nothing is sent before the task ends, so the hold is in place in time
            self.channel.hold_reply(delay)
        head: bytes = super().build_response_header()
        return head.replace(b"\r\nWww-Authenticate:", b"\r\nWWW-Authenticate:")


class _NodeRequestParser(HTTPRequestParser):
    """Remembers when a request's first byte arrived, for the request deadline, and refuses a
    bad request as libevent does: a 400, never "100 Continue" first (waitress sent it to a bad
    request that asked for it, then failed on what followed, with a logged traceback)."""

    def __init__(self, adj: Any) -> None:
        super().__init__(adj)
        self.started = time.monotonic()

    def received(self, data: bytes) -> int:
        try:
            consumed: int = super().received(data)
        except ParsingError as error:  # waitress lets some escape; the request is bad
            self.error, self.completed = BadRequest(error.args[0]), True
            return len(data)
        if self.error is not None:
            self.expect_continue = False
        return consumed


class _LibeventChannel(HTTPChannel):
    error_task_class = _LibeventErrorTask
    task_class = _NodeTask
    parser_class = _NodeRequestParser
    server: _LibeventServer
    reply_due = 0.0  # monotonic time before which nothing is sent

    def hold_reply(self, seconds: float) -> None:
        """Called from the worker: send nothing on this connection for ``seconds``."""
        self.reply_due = time.monotonic() + seconds
        self.server.note_due(self.reply_due)

    def _held(self) -> bool:
        if self.reply_due and not self.will_close:
            if time.monotonic() < self.reply_due:
                return True
            self.reply_due = 0.0
        return False

    def writable(self) -> bool:
        return not self._held() and bool(super().writable())

    def _flush_some(self, do_close: bool = True) -> bool:
        # The worker flushes as it writes (send_bytes is 1), the loop when writable: both here.
        return not self._held() and bool(super()._flush_some(do_close))


class _QuietDispatcher(ThreadedTaskDispatcher):
    """waitress's worker pool without its "Task queue depth is N" warning on every request that
    waits for a thread: the node logs no such line (its own queue's overflow is the app's
    "Work queue depth exceeded"), and a burst of clients filled stderr with it."""

    queue_logger = logging.getLogger("simnode.http.waitress_queue")
    queue_logger.setLevel(logging.ERROR)


class _LibeventServer(TcpWSGIServer):
    """waitress's server with the node's deadlines: a request must arrive whole within
    ``request_deadline`` seconds of its first byte (slow clients are closed, as libevent's read
    timeout would close a silent one), and replies held back (``hold_reply``) go out when due."""

    channel_class = _LibeventChannel

    def __init__(self, *args: Any, request_deadline: float, **kwargs: Any) -> None:
        self.request_deadline = request_deadline
        self._due: list[float] = []  # when held replies fall due; the loop wakes for them
        self._due_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def note_due(self, due: float) -> None:
        with self._due_lock:
            self._due.append(due)

    def loop_timeout(self) -> float:
        """How long the event loop may wait: its usual turn, or less when a reply falls due."""
        now = time.monotonic()
        with self._due_lock:
            self._due = [due for due in self._due if due > now]
            soonest = min(self._due, default=now + LOOP_TURN_SECONDS)
        return max(0.0, min(soonest - now, LOOP_TURN_SECONDS))

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections (channel_timeout)
        late = time.monotonic() - self.request_deadline
        for channel in list(self.active_channels.values()):
            request = channel.request
            if request is not None and request.started < late:
                channel.will_close = True  # libevent closes a timed-out read without a reply


IDLE_CHECK_SECONDS = 1.0
LOOP_TURN_SECONDS = 1.0  # waitress's asyncore_loop_timeout


def connection_limit() -> int:
    """How many connections are served at once. libevent 2.1 (the node's) has no limit but the
    process's file descriptors; simnode takes half of them (the rest are the clients' own ends in
    a test process, and files), at least waitress's 100 and at most 4,096. More wait in the
    listen backlog until one closes."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    available = soft if soft != resource.RLIM_INFINITY else 8192
    return max(100, min(available // 2, 4096))


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
        # More than -rpcthreads + -rpcworkqueue (4 + 16 by default), so requests past the work
        # queue reach the app and get the node's "Work queue depth exceeded".
        threads: int = 21,
        idle_timeout: float = 30,
    ) -> None:
        self._server = _LibeventServer(
            with_connection_control(app),
            request_deadline=idle_timeout,
            dispatcher=_QuietDispatcher(),
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
            # Slow clients hold connections (libevent has no limit; waitress's 100 let 100 slow
            # clients lock everyone out); poll, not select, serves descriptors past 1,024.
            connection_limit=connection_limit(),
            asyncore_use_poll=True,
        )
        self._server.task_dispatcher.set_thread_count(threads)  # type: ignore[union-attr]
        self.host = host
        # waitress reports the port as text; clients (and the fixture's users) want a number.
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._run, name="simnode-server", daemon=True)

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

    def _run(self) -> None:
        """waitress's event loop, woken early when a held reply falls due."""
        server = self._server
        socket_map = server._map  # type: ignore[union-attr]
        while socket_map:
            wasyncore.poll2(server.loop_timeout(), socket_map)

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


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up at the first big answer (ctypes is not imported at start)."""
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the process already has
    except (OSError, AttributeError):  # not glibc: freed memory stays with the process
        return None


def release_memory() -> None:
    """Return the C heap's free pages to the system: without it, the memory a big batch took
    (freed, but scattered) stayed in the process's RSS."""
    malloc_trim = _malloc_trim()
    if malloc_trim is not None:
        malloc_trim(0)
