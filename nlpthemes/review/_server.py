"""Serve a review session on this machine (uvicorn), loopback only unless told otherwise."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass

from nlpthemes.errors import InputError
from nlpthemes.review._app import LOOPBACK_NAMES, create_app
from nlpthemes.review._session import ReviewSession

__all__ = ["Listening", "bind", "check_host", "serve"]


@dataclass(frozen=True)
class Listening:
    """Where the review is served: the address to open (with its token)."""

    host: str
    port: int
    token: str

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/?token={self.token}"


def check_host(host: str, *, remote: bool = False) -> bool:
    """Whether ``host`` is loopback; a non-loopback address needs ``remote=True``, a wildcard is refused.

    Examples
    --------
    >>> check_host("127.0.0.1"), check_host("::1"), check_host("10.0.0.5", remote=True)
    (True, True, False)
    >>> check_host("10.0.0.5")
    Traceback (most recent call last):
    ...
    nlpthemes.errors.InputError: --host 10.0.0.5 is not this machine's loopback address: ...
    """
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise InputError(None, f"--host {host!r} must be an IP address (e.g. 127.0.0.1)") from None
    if address.is_loopback:
        return True
    if address.is_unspecified:
        raise InputError(None, f"--host {host} would serve every network: give the one address others reach "
                               "this machine at")  # fmt: skip
    if not remote:
        raise InputError(None, f"--host {host} is not this machine's loopback address: anyone who can reach it "
                               "could read the transcripts; say --host explicitly to allow it")  # fmt: skip
    return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1" if host == "localhost" else host, port))
    except OSError as exc:
        sock.close()
        raise InputError(None, f"cannot listen on {host}:{port} ({exc.strerror}): choose another --port") from None
    sock.listen(128)
    return sock


def serve(
    session: ReviewSession,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    remote: bool = False,
    ready: Callable[[Listening], None] | None = None,
    token: str | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve until interrupted (Ctrl+C); ``ready`` is called with the address once it accepts connections.

    ``sock``: a socket :func:`bind` already made (then ``port`` is not used).
    """
    import uvicorn

    loopback = check_host(host, remote=remote)
    sock = sock if sock is not None else bind(host, port)
    where = Listening(host, int(sock.getsockname()[1]), token or secrets.token_urlsafe(24))
    hosts = set(LOOPBACK_NAMES) | ({host.lower()} if not loopback else set())
    app = create_app(session, token=where.token, hosts=hosts)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    if ready is not None:
        ready(where)  # the socket already listens: connections wait in its backlog
    try:
        server.run(sockets=[sock])
    finally:
        session.close()
        sock.close()
