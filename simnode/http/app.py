"""The HTTP face of the node: a werkzeug app with PAI Core's transport rules, served by waitress.

Transport rules from src/httpserver.cpp:http_request_cb and src/httprpc.cpp:HTTPReq_JSONRPC
@ PAI 3.0.0 (../shared/reference/node-rpc.md section 4.1), checked in the node's order:
libevent's allowed methods, unknown method, path, work queue, POST only, authentication.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_content_length, get_input_stream

from simnode.http.admin_http import AdminFront
from simnode.http.auth import Credentials
from simnode.http.faults import Fault, FaultKind, FaultPlan
from simnode.http.journal import Call, Journal
from simnode.http.replies import JSONReply, libevent_error, plain, unauthorized
from simnode.http.runner import (
    AFTER_RESPONSE,
    BEFORE_RESPONSE,
    CLOSE_CONNECTION,
    MAX_BODY_BYTES,
    MID_BODY,
    REPLY_DELAY,
    RESET_MID_BODY,
    release_memory,
)
from simnode.http.simulation import Served, Simulation
from simnode.model.node import Node
from simnode.profiles.profile import Profile
from simnode.rpc import MethodTable, default_table
from simnode.rpc.errors import RPCError, RPCErrorCode
from simnode.rpc.jsonrpc import (
    LEGACY,
    Executor,
    JSONRPCProcessor,
    LegacyDialect,
    Observer,
    RPCReply,
    V2Dialect,
)
from simnode.rpc.methods import RequestView, RPCContext

Reply = Response | JSONReply  # what the app answers a request with: a WSGI response
# -rpcallowip's default: loopback only (InitHTTPAllowList, src/httpserver.cpp).
DEFAULT_ALLOWED_CLIENTS = ("127.0.0.0/8", "::1/128")
# HTTPReq_JSONRPC (src/httprpc.cpp @ PAI 3.0.0) sleeps 250 ms (MilliSleep) before its 401 to a
# wrong password. simnode delays the reply as much but holds no worker meanwhile (REPLY_DELAY):
# the node's sleep lets a few password guessers fill its work queue (issue 16, defect 2).
AUTH_FAILURE_DELAY_SECONDS = 0.25
# The node answers any batch its 32 MiB body holds (JSONRPCExecBatch): 700,000 calls took 17 s
# and a gigabyte here. simnode answers at most this many calls in one batch; a larger one gets
# the node's error for a bad request (-32600, HTTP 400) naming the limit (docs/reliability.md).
MAX_BATCH_CALLS = 10_000
# After a body this large, what its parse and reply took is handed back to the system.
RELEASE_MEMORY_AFTER_BYTES = 1024 * 1024
# evhttp_set_allowed_methods(GET | POST | HEAD | PUT | DELETE): libevent answers others with 501.
LIBEVENT_ALLOWED_METHODS = frozenset({"GET", "POST", "HEAD", "PUT", "DELETE"})

ROUTES = Map(
    [
        Rule("/", endpoint="jsonrpc"),
        Rule("/wallet/", endpoint="jsonrpc"),
        Rule("/wallet/<path:wallet>", endpoint="jsonrpc"),
        Rule("/simnode/<path:action>", endpoint="control"),
    ],
    merge_slashes=False,
)

_ROUTE_ADAPTER = ROUTES.bind("simnode")  # the node ignores Host; so does routing


@functools.lru_cache(maxsize=1024)  # clients use a handful of URIs; matching costs more than this
def _match_route(raw_uri: str) -> tuple[str, dict[str, Any]] | None:
    """The endpoint and its (read-only) arguments for a path, or None for the node's 404."""
    try:
        return _ROUTE_ADAPTER.match(path_info=raw_uri)
    except (NotFound, RequestRedirect):  # werkzeug would redirect "/wallet"; the node won't
        return None


class WorkQueue:
    """``-rpcthreads`` workers behind a ``-rpcworkqueue``-deep queue; a request that finds it
    full is refused at once, as ``WorkQueue::Enqueue`` does."""

    def __init__(self, threads: int, depth: int) -> None:
        self.capacity = threads + depth
        self._workers = threading.BoundedSemaphore(threads)
        self._admitted = 0
        self._lock = threading.Lock()

    def admit(self) -> bool:
        with self._lock:
            if self._admitted >= self.capacity:
                return False
            self._admitted += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._admitted -= 1

    @property
    def worker(self) -> threading.BoundedSemaphore:
        return self._workers

    @property
    def server_threads(self) -> int:
        """Threads the HTTP server needs so that a request past the queue still reaches the app
        and gets the node's "Work queue depth exceeded", instead of waiting in the server."""
        return self.capacity + 1


class NodeApp:
    """WSGI application answering as the node: JSON-RPC at ``/`` and ``/wallet/<name>``, the
    simnode control plane at ``/simnode/<action>``."""

    def __init__(
        self,
        simulation: Simulation,
        credentials: Credentials,
        *,
        table: MethodTable | None = None,
        rpc_threads: int = 4,  # -rpcthreads default
        work_queue_depth: int = 16,  # -rpcworkqueue default
        auth_failure_delay: float = AUTH_FAILURE_DELAY_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        allowed_clients: tuple[str, ...] = DEFAULT_ALLOWED_CLIENTS,
    ) -> None:
        self.simulation = simulation
        self.allowed_clients = tuple(ipaddress.ip_network(c, strict=False) for c in allowed_clients)
        self._allowed_cache: dict[str, bool] = {}  # parsing an address costs more than a lookup
        self.credentials = credentials
        self.table = table or default_table()
        # By (JSON-RPC 2.0, named parameters): PAI Core's legacy rules, Bitcoin Core 28's
        # (legacy without an absent id, and 2.0), and 0.13's (legacy, params an array only).
        self._processors = {
            (False, True): JSONRPCProcessor(LEGACY, max_batch_calls=MAX_BATCH_CALLS),
            (True, True): JSONRPCProcessor(
                LegacyDialect(omit_absent_id=True), V2Dialect(), max_batch_calls=MAX_BATCH_CALLS
            ),
            (False, False): JSONRPCProcessor(
                LegacyDialect(named_params=False), max_batch_calls=MAX_BATCH_CALLS
            ),
        }
        self.work_queue = WorkQueue(rpc_threads, work_queue_depth)
        self.auth_failure_delay = auth_failure_delay
        self._sleep = sleep
        self.faults = FaultPlan()
        self.journal = Journal()
        self.admin = AdminFront(self)  # /simnode/..., and the live page at GET /

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        response = self.respond(environ)
        if _content_length(environ) > RELEASE_MEMORY_AFTER_BYTES:
            response.call_on_close(release_memory)  # once the server has sent it
        return response(environ, start_response)

    # ------------------------------------------------------------------------ the node's order
    def respond(self, environ: dict[str, Any]) -> Reply:
        """The reply to one request, read from its WSGI environ: a JSON-RPC call (the hot path)
        builds no werkzeug Request; the control plane and the live page get one."""
        if _content_length(environ) > MAX_BODY_BYTES:  # read before any callback runs
            return libevent_error(413, "Request Entity Too Large")
        method = environ.get("REQUEST_METHOD", "GET").upper()  # as werkzeug's Request reads it
        if method not in LIBEVENT_ALLOWED_METHODS:
            return libevent_error(501, "Not Implemented")
        if self.simulation.stopping:  # http_reject_request_cb once `stop` was called
            return libevent_error(503, "Service Unavailable")
        if not self._client_allowed(environ.get("REMOTE_ADDR")):
            return plain(403)  # ClientAllowed (-rpcallowip), src/httpserver.cpp
        if method == "DELETE":  # HTTPRequest::UNKNOWN in the node
            return plain(405)
        endpoint = self._route(environ)
        if endpoint is None:
            return plain(404)
        if endpoint[0] == "control":  # not RPC: the admin API takes no RPC worker
            request = Request(environ)
            return self.admin.respond(request, request.path)
        if method == "GET" and _raw_uri(environ) == "/":  # a browser: the live page
            return self.admin.authorized_page(Request(environ))
        if not self.work_queue.admit():
            return plain(
                self.simulation.profile.features.work_queue_status, "Work queue depth exceeded"
            )
        try:
            with self.work_queue.worker:
                return self._handle(environ, method)
        finally:
            self.work_queue.release()

    def wrong_password_delay(self, environ: dict[str, Any]) -> None:
        """Ask the server to send this request's 401 after the node's delay (REPLY_DELAY)."""
        environ[REPLY_DELAY] = self.auth_failure_delay

    def _client_allowed(self, remote_addr: str | None) -> bool:
        if remote_addr is None:  # called in-process (werkzeug's test client), not over a socket
            return True
        allowed = self._allowed_cache.get(remote_addr)
        if allowed is None:
            try:
                client = ipaddress.ip_address(remote_addr)
            except ValueError:
                return False
            allowed = any(client.version == net.version and client in net
                          for net in self.allowed_clients)  # fmt: skip
            if len(self._allowed_cache) > 4096:  # clients are few; never let it grow unbounded
                self._allowed_cache.clear()
            self._allowed_cache[remote_addr] = allowed
        return allowed

    def _route(self, environ: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The node compares the raw request URI (``strURI == "/"``, or a ``/wallet/`` prefix):
        ``/?x`` and ``//`` are 404."""
        raw_uri = _raw_uri(environ)
        if raw_uri.startswith("/simnode/"):  # simnode's own: query strings are its parameters
            return _match_route(raw_uri.split("?", 1)[0])
        if "?" in raw_uri or environ.get("QUERY_STRING") or raw_uri.startswith("//"):
            return None  # werkzeug's matcher would fold these onto "/"
        return _match_route(raw_uri)

    def _handle(self, environ: dict[str, Any], method: str) -> Reply:
        if method != "POST":
            return plain(405, "JSONRPC server handles only POST requests")
        authorization = environ.get("HTTP_AUTHORIZATION")
        if authorization is None:
            return unauthorized()
        user = self.credentials.authorized(authorization)
        if user is None:
            self.wrong_password_delay(environ)
            return unauthorized()
        try:
            body = get_input_stream(environ, max_content_length=MAX_BODY_BYTES).read()
        except RequestEntityTooLarge:  # a body without a length that outgrew the limit
            return libevent_error(413, "Request Entity Too Large")
        requests = _peek_requests(body) if self.faults.armed else []
        fault = self.faults.take([r["method"] for r in requests]) if requests else None
        if fault is None:
            return self._jsonrpc(body, user)
        return self._jsonrpc_with_fault(environ, body, user, fault, requests)

    def _jsonrpc(
        self,
        body: bytes,
        user: str,
        fault: Fault | None = None,
        execute: Executor | None = None,
    ) -> Reply:
        """Answer a JSON-RPC body, recording every call in the journal. A body sent before is
        answered from its reply plan (rpc/plans.py), unless a fault or warm-up is in play."""
        served = self.simulation.served  # one read: the rules, node and caches of one reset
        calls: list[tuple[str, Any, Any, RPCError | None]] = []
        processor = self._processor(served.profile)
        view = RequestView(served.node)
        if execute is None and fault is None and self.simulation.warmup_message is None:
            reply = served.plans.reply(body, processor, self.table, self._executor(served, view),
                                       lambda *call: calls.append(call), view.snapshot)  # fmt: skip
        else:
            reply = processor.process(body, execute or self._executor(served, view),
                                      lambda *call: calls.append(call))  # fmt: skip
        self._record(served.node, calls, user, reply.status, fault, len(body))
        if reply.status == 204:  # 2.0 notifications only: no content
            return plain(204)
        return JSONReply(reply.status, reply.chunks)

    def _processor(self, profile: Profile) -> JSONRPCProcessor:
        return self._processors[profile.features.jsonrpc_v2, profile.features.named_params]

    def reply_to(self, body: bytes, observe: Observer | None = None) -> RPCReply:
        """The reply the node would send to a JSON-RPC body, computed afresh (no reply plan)
        and without journaling its calls (``observe`` hears of each): what the benchmarks
        compare a server with, and the tests compare the plans with."""
        served = self.simulation.served
        processor = self._processor(served.profile)
        return processor.process(body, self._executor(served, RequestView(served.node)), observe)

    def _record(
        self,
        node: Node,
        calls: list[tuple[str, Any, Any, RPCError | None]],
        user: str,
        status: int,
        fault: Fault | None,
        body_bytes: int,
    ) -> None:
        """Journal the calls of one request, at the node's time, each with its share of the
        body (what its parameters hold, near enough)."""
        now = node.clock.now_us() // 1_000_000
        code = None if fault is None else fault.kind.value
        self.journal.record_all([Call(method, params, request_id, user, now, status,
                                      None if error is None else int(error.code), code)
                                 for method, params, request_id, error in calls],
                                body_bytes // max(1, len(calls)))  # fmt: skip

    def _jsonrpc_with_fault(
        self, environ: dict[str, Any], body: bytes, user: str, fault: Fault, requests: list[dict]
    ) -> Reply:
        kind = fault.kind
        if kind is FaultKind.LATENCY:
            self._sleep(fault.seconds)
        elif kind is FaultKind.WARMUP:

            def warming_up(method: str, params: Any) -> Any:
                raise RPCError(RPCErrorCode.IN_WARMUP, fault.message)

            return self._jsonrpc(body, user, fault, execute=warming_up)
        elif kind is FaultKind.WRONG_ID:
            body = _with_wrong_ids(body)
        elif kind in (FaultKind.HTTP_500_EMPTY, FaultKind.WORK_QUEUE_FULL):
            never_run = [(r["method"], r.get("params") or [], r.get("id"), None) for r in requests]
            self._record(self.simulation.node, never_run, user, 500, fault, len(body))  # called
            if kind is FaultKind.HTTP_500_EMPTY:
                return plain(500)
            return plain(self.simulation.profile.features.work_queue_status,
                         "Work queue depth exceeded")  # fmt: skip
        response = self._jsonrpc(body, user, fault)
        if kind is FaultKind.MALFORMED_JSON and isinstance(response, JSONReply):
            whole = response.body
            response.chunks = [whole[: len(whole) // 2]]
        elif kind in _CONNECTION_FAULTS:
            environ[CLOSE_CONNECTION] = _CONNECTION_FAULTS[kind]
        return response

    def _executor(self, served: Served, view: RequestView) -> Executor:
        """What runs one request's calls: ``CRPCTable::execute`` on the node being served when
        the request came, every call seeing it through the request's view. The warm-up check
        comes before method lookup."""
        simulation = self.simulation

        def execute(method: str, params: list[Any] | dict[str, Any]) -> Any:
            if simulation.warmup_message is not None:
                raise RPCError(RPCErrorCode.IN_WARMUP, simulation.warmup_message)
            context = RPCContext(served.node, served.profile, self.table, simulation.stop,
                                 served.answers, view)  # fmt: skip
            return self.table.execute(context, method, params)

        return execute


_CONNECTION_FAULTS = {
    FaultKind.DROP: BEFORE_RESPONSE,
    FaultKind.RESET: RESET_MID_BODY,
    FaultKind.TRUNCATED: MID_BODY,
    FaultKind.CLOSE_AFTER_RESPONSE: AFTER_RESPONSE,
}


def _peek_requests(body: bytes) -> list[dict[str, Any]]:
    """The request objects in a body that names its methods; [] for anything else."""
    try:
        payload = json.loads(body)
    except ValueError:
        return []
    members = payload if isinstance(payload, list) else [payload]
    return [m for m in members if isinstance(m, dict) and isinstance(m.get("method"), str)]


def _with_wrong_ids(body: bytes) -> bytes:
    """The same request with every id changed, so the reply's id is not the one sent."""

    def wrong(member: Any) -> Any:
        if isinstance(member, dict):
            old = member.get("id")
            changed = old + 1 if isinstance(old, int) and not isinstance(old, bool) else "wrong-id"
            return {**member, "id": changed}
        return member

    payload = json.loads(body)
    payload = [wrong(m) for m in payload] if isinstance(payload, list) else wrong(payload)
    return json.dumps(payload).encode()


def _raw_uri(environ: dict[str, Any]) -> str:
    """The request URI as the client sent it (waitress gives it; werkzeug's test client too)."""
    return environ.get("REQUEST_URI") or Request(environ).path


def _content_length(environ: dict[str, Any]) -> int:
    """The request's declared body length, as werkzeug reads it (strictly; none for a chunked
    body); 0 when there is none."""
    return get_content_length(environ) or 0
