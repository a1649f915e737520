"""The review page in a real browser: a coder's keyboard session against the real server, a reload, a kill.

Starts ``nlpthemes review`` as a subprocess (the fake embedding model) and drives
the page in Debian's headless Chromium through its chromedriver (Selenium,
never downloading a driver). Skips when Chromium or chromedriver is missing
(``apt-get install -y chromium chromium-driver``). A screenshot is kept in
tests/artifacts/.
"""

from __future__ import annotations

import csv
import http.client
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _tools() -> tuple[str, str]:
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("no headless Chromium and chromedriver installed (apt-get install -y chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is in the dev extra")
    return browser, driver


class Server:
    """``nlpthemes review`` in a subprocess; ``url`` is what it printed."""

    def __init__(self, folder: Path, cache: Path, extra: tuple[str, ...] = ()) -> None:
        command = [sys.executable, "-c", "from nlpthemes.cli import main; main()", "review", str(folder),
                   "--coder", "ana", "--model", "fake", "--no-browser", "--refit-every", "3", "--quiet", *extra]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(REPO), "NLPTHEMES_CACHE_DIR": str(cache)}
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.process.stdout or []], daemon=True).start()
        deadline = time.monotonic() + 180
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise AssertionError(f"the server printed no address: {self.process.stderr.read()[-2000:]}") from None
            if found := re.search(r"http://\S+", line):
                self.url = found.group(0)
                break
        self.port = int(re.search(r":(\d+)/", self.url).group(1))  # type: ignore[union-attr]
        self.token = self.url.split("token=", 1)[1]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def run(folder: Path, *extra: str) -> Server:
        server = Server(folder, tmp_path / "cache", extra)
        started.append(server)
        return server

    yield run
    for server in started:
        server.kill()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    chromium, driver = _tools()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
                     "--disable-dev-shm-usage", "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'profile'}"):  # fmt: skip
        options.add_argument(argument)
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a driver online
    web = webdriver.Chrome(service=Service(driver), options=options)
    web.set_page_load_timeout(60)
    yield web
    web.quit()


def wait(web: Any, condition: Callable[[Any], Any], what: str, timeout: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(web, timeout, poll_frequency=0.1).until(condition)
    except Exception:
        errors = web.execute_script("return document.documentElement.dataset.scriptErrors || ''")
        status = web.execute_script("return document.getElementById('status').textContent")
        raise AssertionError(f"waited for {what}; status: {status!r}; script errors: {errors!r}") from None


def keys(web: Any, *sequence: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(web).send_keys(*sequence).perform()


def chord(web: Any, modifier: str, key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(web).key_down(modifier).send_keys(key).key_up(modifier).perform()


def open_page(web: Any, server: Server) -> None:
    web.get(server.url)
    wait(web, lambda d: d.execute_script("return document.documentElement.dataset.ready === '1'"), "the page")


def focus(web: Any) -> tuple[str, int]:
    transcript, index = web.execute_script("return document.body.dataset.focus").split("#")
    return transcript, int(index)


def bar_codes(web: Any, kind: str) -> list[str]:
    return web.execute_script(
        f"return Array.from(document.querySelectorAll('#bar .chip.{kind}')).map(c => c.dataset.code || "
        "c.querySelector('span').textContent)")


def codings(server_folder: Path) -> set[tuple[str, int, int, str, str]]:
    with open(server_folder / "review" / "ana" / "codings.csv", newline="", encoding="utf-8") as handle:
        return {(r["transcript"], int(r["start"]), int(r["end"]), r["code"], r["coder"]) for r in csv.DictReader(handle)}


def request(server: Server, method: str, path: str, headers: dict[str, str], body: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def views(server: Server, transcript: str) -> dict[int, dict[str, Any]]:
    import json

    status, body = request(server, "GET", f"/api/transcript/{transcript}", {"X-Review-Token": server.token})
    assert status == 200, body
    return {v["sentence"]: v for v in json.loads(body)["sentences"]}


def choose_transcript(web: Any, transcript: str, sentence: int) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(web.find_element(By.ID, "transcript-select")).select_by_value(transcript)
    wait(web, lambda d: d.execute_script(f"return document.getElementById('transcript').dataset.transcript === '{transcript}'"),
         f"transcript {transcript}")  # fmt: skip
    web.find_element(By.CSS_SELECTOR, f'#transcript .sentence[data-i="{sentence}"] .text').click()
    wait(web, lambda d: focus(d) == (transcript, sentence), f"focus on {transcript}#{sentence}")


def test_a_keyboard_review_survives_a_reload_and_a_kill(study: Path, start: Callable[[Path], Server], browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    server = start(study)
    open_page(browser, server)
    expected: set[tuple[str, int, int, str, str]] = set()

    # 1: accept the first suggestion of a sentence
    choose_transcript(browser, "p1", 1)
    here = focus(browser)
    suggested = bar_codes(browser, "suggestion")
    assert len(suggested) == 3
    keys(browser, "1")
    wait(browser, lambda d: bar_codes(d, "mine") == [suggested[0]], "the accepted code")
    s = views(server, here[0])[here[1]]
    expected.add((here[0], s["start"], s["end"], suggested[0], "ana"))

    # 2: x rejects the other two and moves on
    keys(browser, "x")
    wait(browser, lambda d: focus(d) != here, "the next sentence")
    assert sorted(views(server, here[0])[here[1]]["rejected"]) == sorted(suggested[1:])

    # 3: another code, picked by typing part of its name (p2's volunteers sentence)
    choose_transcript(browser, "p2", 10)
    keys(browser, "c")
    keys(browser, "confl", Keys.ENTER)
    wait(browser, lambda d: any(v["code"] == "Conflict" for v in views(server, "p2")[10]["codings"]), "Conflict applied")
    s10, s11 = views(server, "p2")[10], views(server, "p2")[11]
    expected.add(("p2", s10["start"], s10["end"], "Conflict", "ana"))

    # 4: widen the span to the next sentence, accept suggestion 2 over both, then undo it
    chord(browser, Keys.SHIFT, Keys.ARROW_DOWN)
    wait(browser, lambda d: d.execute_script("return document.querySelectorAll('#transcript .in-span').length") == 2,
         "a span of two sentences")  # fmt: skip
    second = bar_codes(browser, "suggestion")[1]
    keys(browser, "2")
    wait(browser, lambda d: any(c["end"] == s11["end"] for c in views(server, "p2")[11]["codings"]), "the wide code")
    assert ("p2", s10["start"], s11["end"], second, "ana") in codings(study)
    keys(browser, "u")
    wait(browser, lambda d: not views(server, "p2")[11]["codings"], "the undo")

    # 5: a memo
    keys(browser, "m")
    keys(browser, "ask Ben about the office")
    chord(browser, Keys.CONTROL, Keys.ENTER)
    wait(browser, lambda d: views(server, "p2")[10]["memo"] == "ask Ben about the office", "the memo")
    assert codings(study) == expected

    # transcript text is text: the hostile sentence of p1 is shown, and did not run
    choose_transcript(browser, "p1", 1)
    shown = browser.execute_script("return document.getElementById('transcript').textContent")
    assert "<img src=x onerror=" in shown
    attributes = browser.execute_script("return Object.assign({}, document.documentElement.dataset)")
    assert "pwned" not in attributes and "scriptErrors" not in attributes, attributes

    # reload: everything is still there
    open_page(browser, server)
    choose_transcript(browser, "p2", 10)
    assert bar_codes(browser, "mine") == ["Conflict"]
    assert browser.execute_script("return document.querySelector('#bar .memo').textContent") == "ask Ben about the office"
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "review_screenshot.png"))

    # kill the server (no shutdown at all), start it again: every decision is there
    server.kill()
    assert codings(study) == expected
    again = start(study)
    assert again.token != server.token
    open_page(browser, again)
    assert browser.execute_script("return document.getElementById('n-decided').textContent") == "2"
    choose_transcript(browser, "p2", 10)
    assert bar_codes(browser, "mine") == ["Conflict"]
    keys(browser, "1")  # and the review goes on
    wait(browser, lambda d: len(codings(study)) == 3, "a decision after the restart")


def test_the_real_server_refuses_foreign_hosts_and_missing_tokens(study: Path, start: Callable[[Path], Server]) -> None:
    server = start(study)

    def status(path: str, headers: dict[str, str]) -> int:
        return request(server, "GET", path, headers)[0]

    assert status(f"/?token={server.token}", {}) == 200
    assert status(f"/?token={server.token}", {"Host": "attacker.example"}) == 421  # DNS rebinding
    assert status("/", {}) == 403
    assert status("/api/stats", {}) == 403
    assert status("/api/stats", {"X-Review-Token": server.token}) == 200
    posted = request(server, "POST", f"/api/undo?token={server.token}", {"Content-Type": "application/json"}, "{}")
    assert posted[0] == 403  # a state change needs the token in a header


def test_a_survey_answer_is_shown_under_its_question(study: Path, tmp_path: Path, start: Callable[..., Server],
                                                     browser: Any) -> None:  # fmt: skip
    survey = REPO / "tests" / "data" / "io" / "survey_questions.csv"
    server = start(tmp_path / "survey", "--transcripts", str(survey), "--codebook", str(study / "codebook.csv"))
    open_page(browser, server)
    choose_transcript(browser, "s01 Q2", 0)
    shown = browser.execute_script("return document.querySelector('#transcript .question').textContent")
    assert shown == "What would you change about it?"
    choose_transcript(browser, "s01 Q1", 0)
    shown = browser.execute_script("return document.querySelector('#transcript .question').textContent")
    assert shown == "What did you find most useful in the programme?"
