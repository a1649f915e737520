"""A small interview study written to disk, and loopback connections allowed (for the review server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest


class NetworkAccessError(RuntimeError):
    """Raised when code under test tries to reach another machine."""


# Text that would run if the page put transcript text in as markup: the browser test looks for data-pwned.
HOSTILE = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"

TRANSCRIPTS = {
    "p1": (
        "Interviewer: How did you fund the project?\n"
        "Ana: We applied for a government grant. The money came after a year. Funding was always tight.\n"
        "Interviewer: Did you trust the partners?\n"
        "Ana: Trust took years to build. We never fully trusted the ministry. "
        f"Someone pasted {HOSTILE} into our shared notes.\n"
        "Interviewer: And the staff?\n"
        "Ana: We hired two people. Volunteers did the rest of the work.\n"
    ),
    "p2": (
        "Interviewer: Tell me about the budget.\n"
        "Ben: The budget was small and the grant money was late. We argued a lot about money.\n"
        "Interviewer: Was there conflict with the partners?\n"
        "Ben: There were arguments in every meeting. The disagreements were about policy.\n"
        "Interviewer: What about regulation?\n"
        "Ben: The new government policy changed the rules. Regulation made the work slower.\n"
        "Interviewer: Who did the work?\n"
        "Ben: We hired volunteers for the office work. They stayed for years.\n"
    ),
    "p3": (
        "Interviewer: How was the funding?\n"
        "Cem: We got a grant from the city. The money paid for the staff.\n"
        "Interviewer: And trust?\n"
        "Cem: We trusted our partners from the start. Trust was never a problem.\n"
        "Interviewer: Anything else?\n"
        "Cem: The policy of the ministry was confusing. We had some arguments about it.\n"
    ),
}

CODEBOOK = (
    "code,description,parent,examples\n"
    "Resources,what the project had to work with,,\n"
    "Funding,money grants and budgets,Resources,we got a grant|the budget was small\n"
    "Staff,people hired and volunteers,Resources,we hired two people\n"
    "Trust,trust and distrust between partners,,\n"
    "Conflict,disagreements and arguments,,\n"
    "Policy,government policy and regulation,,\n"
)


def _span(transcript: str, quote: str) -> tuple[int, int]:
    start = TRANSCRIPTS[transcript].index(quote)
    return start, start + len(quote)


def given_codings() -> str:
    rows = ["transcript,start,end,code,coder"]
    for quote, code in (("We got a grant from the city.", "Funding"), ("The money paid for the staff.", "Staff"),
                        ("We trusted our partners from the start.", "Trust"), ("Trust was never a problem.", "Trust"),
                        ("The policy of the ministry was confusing.", "Policy"),
                        ("We had some arguments about it.", "Conflict")):  # fmt: skip
        start, end = _span("p3", quote)
        rows.append(f"p3,{start},{end},{code},Dana")
    return "\n".join(rows) + "\n"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """``study/transcripts/*.txt``, ``codebook.csv`` and ``codings.csv`` (p3 coded by Dana): the import layout."""
    root = tmp_path / "study"
    (root / "transcripts").mkdir(parents=True)
    for name, text in TRANSCRIPTS.items():
        (root / "transcripts" / f"{name}.txt").write_text(text, encoding="utf-8")
    (root / "codebook.csv").write_text(CODEBOOK, encoding="utf-8")
    (root / "codings.csv").write_text(given_codings(), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As the suite's guard, but connections to this machine's loopback are allowed (the review server)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create = socket.create_connection

    def loopback(address: object) -> bool:
        host = address[0] if isinstance(address, tuple) else None
        return host in ("127.0.0.1", "::1", "localhost")

    def guard(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            raise NetworkAccessError(f"network access attempted: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    def guard_ex(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            raise NetworkAccessError(f"network access attempted: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    def guard_create(address: object, *args: object, **kwargs: object) -> object:
        if not loopback(address):
            raise NetworkAccessError(f"network access attempted: {address!r}")
        return real_create(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard_ex)
    monkeypatch.setattr(socket, "create_connection", guard_create)
    yield
