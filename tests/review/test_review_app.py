"""The review app behind its guard: token, Host, origin, headers; the JSON API it serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from nlpthemes.embed import load_embedder
from nlpthemes.errors import InputError
from nlpthemes.review import ReviewSession, create_app, load_inputs
from nlpthemes.review._app import CSP, TOKEN_HEADER
from nlpthemes.review._server import Listening, bind, check_host
from nlpthemes.suggest import CodeSuggester

TOKEN = "t0k3n-for-tests_only"


@pytest.fixture
def session(study: Path) -> Iterator[ReviewSession]:
    embedder = load_embedder("fake", cache=False, progress=False)
    made = ReviewSession(load_inputs(study), "ana", embedder=embedder, refit_every=0,
                         make=lambda e: CodeSuggester(embedder=e, context_weight=1.0, example_weight=1.0,
                                                      question_weight=0.0))  # fmt: skip
    made.start()
    yield made
    made.close()


@pytest.fixture
def client(session: ReviewSession) -> Iterator[TestClient]:
    with TestClient(create_app(session, token=TOKEN), base_url="http://127.0.0.1:8765") as c:
        yield c


def api(client: TestClient, path: str, body: Any = None) -> Any:
    headers = {TOKEN_HEADER: TOKEN}
    if body is None:
        return client.get(f"/api/{path}", headers=headers)
    return client.post(f"/api/{path}", json=body, headers=headers)


def test_the_page_needs_the_token_and_carries_it_to_its_assets(client: TestClient) -> None:
    page = client.get(f"/?token={TOKEN}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'<meta name="review-token" content="{TOKEN}">' in page.text
    assert f'src="static/review.js?token={TOKEN}"' in page.text and "__TOKEN__" not in page.text
    script = client.get(f"/static/review.js?token={TOKEN}")
    assert script.status_code == 200 and "textContent" in script.text and "innerHTML" not in script.text
    assert client.get(f"/static/review.css?token={TOKEN}").headers["content-type"].startswith("text/css")
    assert client.get(f"/static/index.html?token={TOKEN}").status_code == 404
    assert client.get(f"/static/../_app.py?token={TOKEN}").status_code == 404
    for refused in ("/", "/?token=", "/?token=wrong", "/static/review.js", f"/?token={TOKEN}x"):
        response = client.get(refused)
        assert response.status_code == 403, refused
        assert "token" in response.json()["error"] and TOKEN not in response.text


def test_every_response_forbids_the_network_framing_and_sniffing(client: TestClient) -> None:
    for response in (client.get(f"/?token={TOKEN}"), api(client, "stats"), client.get("/"),
                     client.get("/", headers={"host": "evil.example"})):  # fmt: skip
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in CSP and "connect-src 'self'" in CSP and "unsafe" not in CSP


def test_a_foreign_host_is_refused_even_with_the_token(client: TestClient) -> None:
    for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example", "localhost.evil.example:80"):
        response = client.get(f"/?token={TOKEN}", headers={"host": host})
        assert response.status_code == 421, host
        assert api(client, "stats").status_code == 200
        assert client.get("/api/stats", headers={"host": host, TOKEN_HEADER: TOKEN}).status_code == 421
    for host in ("localhost:8765", "127.0.0.1", "[::1]:8765", "LOCALHOST"):
        assert client.get(f"/?token={TOKEN}", headers={"host": host}).status_code == 200, host


def test_the_api_needs_the_token_in_a_header(client: TestClient, session: ReviewSession) -> None:
    s = next(x for x in session.sentences if not x.is_interviewer)
    decision = {"op": "apply", "transcript": s.transcript_id, "sentence": s.index, "code": "Trust"}
    assert client.get(f"/api/stats?token={TOKEN}").status_code == 403  # the URL's token is for the page only
    assert client.post(f"/api/decide?token={TOKEN}", json=decision).status_code == 403
    assert client.post("/api/decide", json=decision, headers={TOKEN_HEADER: "wrong"}).status_code == 403
    cross = client.post("/api/decide", json=decision, headers={TOKEN_HEADER: TOKEN, "origin": "https://evil.example"})
    assert cross.status_code == 403
    form = client.post("/api/decide", content=b"op=apply", headers={TOKEN_HEADER: TOKEN,
                                                                      "content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415
    assert session.store.count == 0  # none of those reached the log
    same = client.post("/api/decide", json=decision, headers={TOKEN_HEADER: TOKEN, "origin": "http://127.0.0.1:8765"})
    assert same.status_code == 200 and session.store.count == 1


def test_a_review_through_the_api(client: TestClient, session: ReviewSession) -> None:
    overview = api(client, "overview").json()
    assert overview["coder"] == "ana" and [t["id"] for t in overview["transcripts"]] == ["p1", "p2", "p3"]
    assert [c["name"] for c in overview["codebook"]][:3] == ["Resources", "Funding", "Staff"]
    assert overview["codebook"][1]["examples"] == ["we got a grant", "the budget was small"]
    page = api(client, "transcript/p1").json()
    assert page["turns"][0] == {"speaker": "Interviewer", "interviewer": True, "sentences": [0]}
    texts = [v["text"] for v in page["sentences"]]
    assert any("<img src=x onerror=" in t for t in texts)  # sent as data; the page writes it as text
    assert api(client, "transcript/nope").status_code == 404
    queue = api(client, "queue?order=active&limit=5").json()["items"]
    assert len(queue) == 5
    first = queue[0]
    decided = api(client, "decide", {"op": "apply", "transcript": first["transcript"], "sentence": first["sentence"],
                                     "code": first["top"][0], "source": "suggestion"}).json()  # fmt: skip
    assert decided["stats"]["decided"] == 1 and decided["sentences"][0]["codings"][0]["code"] == first["top"][0]
    assert (first["transcript"], first["sentence"]) not in {
        (q["transcript"], q["sentence"]) for q in api(client, "queue?order=active&limit=50").json()["items"]}
    bad = api(client, "decide", {"op": "apply", "transcript": "p1", "sentence": 1, "code": "Nope"})
    assert bad.status_code == 400 and "not a codable code" in bad.json()["error"]
    assert api(client, "decide", [1, 2]).status_code == 400
    assert api(client, "queue?order=sideways").status_code == 400
    undone = api(client, "undo", {}).json()
    assert undone["undone"] == "apply" and undone["stats"]["decided"] == 0
    assert api(client, "undo", {}).json() == {"error": "nothing to undo"}
    refit = api(client, "refit", {}).json()
    assert "learner" in refit
    session.learner.wait(60)
    assert api(client, "stats").json()["learner"]["fit"] == 1


def test_the_server_binds_loopback_unless_told() -> None:
    assert check_host("127.0.0.1") and check_host("localhost") and check_host("::1") and check_host("127.0.0.2")
    for host, message in (("0.0.0.0", "every network"), ("::", "every network"), ("192.168.1.20", "not this machine's"),
                          ("example.org", "must be an IP address")):  # fmt: skip
        with pytest.raises(InputError, match=message):
            check_host(host)
    assert check_host("192.168.1.20", remote=True) is False
    sock = bind("127.0.0.1", 0)
    try:
        host, port = sock.getsockname()[:2]
        assert host == "127.0.0.1" and port > 0
        with pytest.raises(InputError, match="choose another --port"):
            bind("127.0.0.1", port)
    finally:
        sock.close()
    assert Listening("::1", 80, "t").url == "http://[::1]:80/?token=t"
