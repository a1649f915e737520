"""The review web app (Starlette): the page, its assets and a small JSON API, behind a guard.

Every request must carry the session's random token: in the URL for the page
and its assets (``?token=``), in the ``X-Review-Token`` header for the API, so
another web site cannot drive it (a cross-site page cannot set that header).
Requests whose ``Host`` is not this machine's loopback name are refused
(DNS rebinding), as are cross-origin posts. Every response forbids framing,
sniffing, referrers and any network access but to this server (CSP).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nlpthemes.errors import InputError
from nlpthemes.review._session import ReviewSession

__all__ = ["LOOPBACK_NAMES", "TOKEN_HEADER", "create_app"]

TOKEN_HEADER = "x-review-token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")  # fmt: skip
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_ASSETS = {"review.js": "text/javascript; charset=utf-8", "review.css": "text/css; charset=utf-8"}

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def host_name(host: str) -> str:
    """The name part of a ``Host`` header (no port, no IPv6 brackets), lower case.

    Examples
    --------
    >>> host_name("LocalHost:8765"), host_name("[::1]:80"), host_name("127.0.0.1")
    ('localhost', '::1', '127.0.0.1')
    """
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware: Host, token and origin checks; security headers on every response."""

    def __init__(self, app: ASGIApp, *, token: str, hosts: Collection[str]) -> None:
        self.app, self.token, self.hosts = app, token, frozenset(h.lower() for h in hosts)

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            return 421, "this server answers only to its own address (the Host header is not it)"
        path = str(scope.get("path", ""))
        if path.startswith("/api/"):
            given = headers.get(TOKEN_HEADER, "")
        else:
            given = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token") or [""])[0]
        if not given or not secrets.compare_digest(given.encode(), self.token.encode()):
            return 403, "missing or wrong token: open the address the review command printed"
        if scope.get("method") != "GET":
            origin = headers.get("origin")
            if origin is not None and host_name(urlsplit(origin).netloc) not in self.hosts:
                return 403, "cross-origin request refused"
            if "application/json" not in headers.get("content-type", ""):
                return 415, "send JSON"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            status, reason = refusal
            await JSONResponse({"error": reason}, status_code=status)(scope, receive, secured)
            return
        await self.app(scope, receive, secured)


def _asset(name: str) -> str:
    return resources.files("nlpthemes.review").joinpath("static", name).read_text(encoding="utf-8")


def create_app(session: ReviewSession, *, token: str, hosts: Collection[str] = LOOPBACK_NAMES) -> ASGIApp:
    """The review app for ``session``, guarded by ``token`` and the allowed ``hosts`` names."""
    page = _asset("index.html").replace("__TOKEN__", token)

    def index(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _ASSETS:
            return JSONResponse({"error": "not found"}, status_code=404)
        return Response(_asset(name), media_type=_ASSETS[name])

    def overview(request: Request) -> Response:
        return JSONResponse(session.overview())

    def stats(request: Request) -> Response:
        return JSONResponse(session.stats())

    def transcript(request: Request) -> Response:
        try:
            return JSONResponse(session.transcript(request.path_params["tid"]))
        except KeyError:
            return JSONResponse({"error": "no such transcript"}, status_code=404)

    def queue(request: Request) -> Response:
        q = request.query_params
        after = None
        if q.get("after_transcript") is not None and (q.get("after_sentence") or "").isdigit():
            after = (q["after_transcript"], int(q["after_sentence"]))
        try:
            items = session.queue(q.get("order", "active"), code=q.get("code") or None, after=after,
                                  limit=int(q.get("limit", "50")) if (q.get("limit") or "50").isdigit() else 50)
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"items": items})

    async def body(request: Request) -> Any:
        raw = await request.body()
        if len(raw) > 100_000:
            raise InputError(None, "request too large")
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            raise InputError(None, "the request body is not JSON") from None

    def _guarded(action: Callable[[Any], dict[str, Any]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool

            try:
                payload = await body(request)
                return JSONResponse(await run_in_threadpool(action, payload))
            except InputError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)

        return endpoint

    routes = [
        Route("/", index),
        Route("/static/{name}", asset),
        Route("/api/overview", overview),
        Route("/api/stats", stats),
        Route("/api/transcript/{tid:path}", transcript),
        Route("/api/queue", queue),
        Route("/api/decide", _guarded(session.decide), methods=["POST"]),
        Route("/api/undo", _guarded(lambda _: session.undo()), methods=["POST"]),
        Route("/api/refit", _guarded(lambda _: session.refit()), methods=["POST"]),
    ]
    return Guard(Starlette(routes=routes), token=token, hosts=hosts)
