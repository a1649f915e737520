"""The report in a real browser: headless Chromium draws every plot, runs no injected script, raises no error.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``); skips
when no Chromium is installed. The screenshot is kept in tests/artifacts/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nlpthemes.report import ReportData, write_report

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _chromium() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless Chromium installed (apt-get install -y chromium)")


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=15000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def _root_attributes(dom: str) -> dict[str, str]:
    match = re.search(r"<html([^>]*)>", dom)
    assert match, "no <html> element in the dumped DOM"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))


def test_report_draws_in_headless_chromium(tmp_path: Path, report_data: ReportData) -> None:
    browser = _chromium()
    path = write_report(report_data, tmp_path / "report.html")
    url = path.resolve().as_uri()
    dumped = _run(browser, tmp_path / "profile-dom", "--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    attributes = _root_attributes(dumped.stdout)
    assert attributes.get("data-ready") == "1", "the page's last script did not run"
    assert "data-script-errors" not in attributes, "a script raised an error (or the CSP blocked something)"
    assert "data-pwned" not in attributes, "transcript text ran as a script"
    # the theme map, two heatmaps, the code heatmaps, agreement and comparison charts: each is a plotly SVG
    assert int(attributes.get("data-plots", "0")) >= 6
    assert dumped.stdout.count('class="main-svg"') >= 6
    assert "<img" not in dumped.stdout.split("<main>", 1)[-1].split("</main>", 1)[0].replace("<img xmlns", "")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report_screenshot.png"
    taken = _run(browser, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,3000", url)
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    print(f"report screenshot: {shot}")
    from PIL import Image

    with Image.open(shot) as image:
        colours = image.convert("L").resize((64, 150)).getextrema()
    assert colours[1] - colours[0] > 100, "the screenshot is blank"
