"""A small JSON-RPC client for talking to any node (simnode or real): ``simnode check`` and the
stateful harness use it. One kept-alive connection, Basic auth, node errors as RPCFailure."""

from __future__ import annotations

import base64
import http.client
import json
import urllib.parse
from pathlib import Path
from typing import Any


class RPCFailure(Exception):
    """The node answered with an error, or not as a JSON-RPC node answers."""

    def __init__(self, message: str, code: int | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class RPCClient:
    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        cookie: Path | None = None,
        timeout: float = 10,
    ) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"expected an http:// URL, got {url!r}")
        if cookie is not None:
            user, password = cookie.read_text().strip().split(":", 1)
        user = user if user is not None else urllib.parse.unquote(parsed.username or "")
        password = password if password is not None else urllib.parse.unquote(parsed.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self._host, self._port = parsed.hostname, parsed.port or 80
        self._path = parsed.path or "/"
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._next_id = 0

    def call(self, method: str, *params: Any) -> Any:
        self._next_id += 1
        body = json.dumps(
            {"jsonrpc": "1.0", "id": self._next_id, "method": method, "params": list(params)}
        )
        status, text = self._post(body)
        try:
            reply = json.loads(text)
        except ValueError:
            raise RPCFailure(
                f"{method}: HTTP {status} with a body that is not JSON: {text[:80]!r}",
                status=status,
            ) from None
        if not isinstance(reply, dict) or "result" not in reply or "error" not in reply:
            raise RPCFailure(f"{method}: not a JSON-RPC reply: {text[:80]!r}", status=status)
        if reply["error"] is not None:
            error = reply["error"]
            raise RPCFailure(
                f"{method}: error {error.get('code')}: {error.get('message')}",
                code=error.get("code"),
                status=status,
            )
        return reply["result"]

    def _post(self, body: str) -> tuple[int, str]:
        for attempt in (1, 2):  # a kept-alive connection the node closed is reopened once
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
            try:
                self._conn.request("POST", self._path, body, self._headers)
                response = self._conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.status == 401:
                raise RPCFailure("HTTP 401: the node refused the credentials", status=401)
            return response.status, text
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> RPCClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
