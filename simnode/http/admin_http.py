"""Serving the admin API, the live page and its event stream: authentication (the node's
credentials, or a session opened by a one-time link), routing by the admin table, and answers.

These requests do not go through the node's RPC work queue: the page and its stream never take
an ``-rpcthreads`` worker from RPC clients (docs/control.md, "What the page costs")."""

from __future__ import annotations

import functools
import importlib.resources
import json
import secrets
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.wrappers import Request, Response

from simnode.http.admin_api import AdminAPI
from simnode.http.admin_routes import ENDPOINTS
from simnode.http.apitable import BadRequest, Endpoint, query_payload
from simnode.http.events_stream import StateStream
from simnode.profiles.jsontext import dumps_line
from simnode.rpc.jsonrpc import reject_constant

if TYPE_CHECKING:
    from simnode.http.app import NodeApp

SESSION_COOKIE = "simnode_session"
UI_FILES = {"app.js": "text/javascript", "style.css": "text/css", "index.html": "text/html"}
_UI_PACKAGE = "simnode.http.ui"


@functools.cache
def _routes() -> MapAdapter:
    """The admin routes, built at the first admin request: werkzeug compiles each rule's
    builder (~10 ms for all), which a node asked only RPCs never needs at start."""
    rules = [Rule(e.path, endpoint=e, methods=[e.method]) for e in ENDPOINTS]
    rules += [
        Rule("/simnode/ui", endpoint="page", methods=["GET"]),
        Rule("/simnode/ui/<name>", endpoint="static", methods=["GET"]),
        Rule("/simnode/stream", endpoint="stream", methods=["GET"]),
    ]
    return Map(rules, strict_slashes=False).bind("simnode")


class AdminFront:
    """The admin side of a NodeApp: ``respond`` answers every request under ``/simnode/`` and
    a browser's ``GET /``."""

    def __init__(self, app: NodeApp) -> None:
        self.app = app
        self.api = AdminAPI(app)
        self.stream = StateStream(self.api)
        self._tokens: set[str] = set()  # one-time links not yet used
        self._sessions: set[str] = set()
        self._lock = threading.Lock()

    def one_time_link(self, base_url: str) -> str:
        """A link that opens the page once without a password (``simnode serve`` prints it):
        it is exchanged for a session cookie and is then spent."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return f"{base_url.rstrip('/')}/simnode/ui?token={token}"

    def close(self) -> None:
        """End the open event streams now (before the server waits for its workers)."""
        self.stream.close()

    # ------------------------------------------------------------------ answering
    def respond(self, request: Request, path: str) -> Response:
        try:
            target, arguments = _routes().match(path, method=request.method)
        except MethodNotAllowed as error:
            allowed = ", ".join(sorted(error.valid_methods or ()))
            return _json(405, {"error": f"{request.method} {path}: use {allowed}"})
        except NotFound:
            known = sorted({e.path for e in ENDPOINTS})
            return _json(404, {"error": f"no admin endpoint {path!r}", "endpoints": known})
        token = request.args.get("token") if target == "page" else None
        if token is not None:
            return self._open_session(token)
        if not self._authorized(request):
            response = Response(status=401)
            response.headers["WWW-Authenticate"] = 'Basic realm="jsonrpc"'
            return response
        if target == "page":
            return self.page()
        if target == "static":
            return _static(arguments["name"])
        if target == "stream":
            return Response(
                self.stream.events(request.environ),
                mimetype="text/event-stream",
                headers={"Cache-Control": "no-store"},
            )
        return self._call(target, request)

    def page(self) -> Response:
        return _static("index.html")

    def authorized_page(self, request: Request) -> Response:
        """``GET /`` from a browser: the page, behind the node's credentials."""
        if not self._authorized(request):
            response = Response(status=401)
            response.headers["WWW-Authenticate"] = 'Basic realm="jsonrpc"'
            return response
        return self.page()

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization")
        if header is not None:
            if self.app.credentials.authorized(header) is not None:
                return True
            self.app.wrong_password_delay(request.environ)
            return False
        session = request.cookies.get(SESSION_COOKIE)
        return session is not None and session in self._sessions

    def _open_session(self, token: str) -> Response:
        with self._lock:
            if token not in self._tokens:
                return _json(
                    403,
                    {
                        "error": "this link was used already or is not one of "
                        "this node's; sign in with the RPC credentials"
                    },
                )
            self._tokens.discard(token)
            session = secrets.token_urlsafe(24)
            self._sessions.add(session)
        response = Response(status=303, headers={"Location": "/simnode/ui"})
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="Strict", path="/")
        return response

    def _call(self, endpoint: Endpoint, request: Request) -> Response:
        try:
            if endpoint.method == "GET":
                payload: Any = query_payload(endpoint, request.args.to_dict())
            else:
                body = request.get_data(cache=False)
                payload = json.loads(body, parse_constant=reject_constant) if body.strip() else None
            result = endpoint.handler(self.api, endpoint.arguments(payload))
        except (BadRequest, ValueError) as error:
            return _json(400, {"error": str(error)})
        return _json(200, result)


def _json(status: int, document: Any) -> Response:
    return Response(dumps_line(document), status=status, content_type="application/json")


def _static(name: str) -> Response:
    content_type = UI_FILES.get(name)
    if content_type is None:
        return _json(404, {"error": f"no file {name!r}", "files": sorted(UI_FILES)})
    data = importlib.resources.files(_UI_PACKAGE).joinpath(name).read_bytes()
    return Response(
        data, content_type=f"{content_type}; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )
