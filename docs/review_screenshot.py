"""Take the README's screenshot of the review page: the PDPilot sample, the real model, headless Chromium.

Starts ``nlpthemes review`` on the shipped sample (two interviews' codes given
at start), makes a few decisions with the keyboard as a coder would, and saves
``docs/review.png`` (reduced to a small palette PNG). Needs Debian's chromium
and chromium-driver, and selenium (dev extra).

Usage: python docs/review_screenshot.py [--out docs/review.png]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "pdpilot"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "review.png")
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    work = Path(tempfile.mkdtemp(prefix="review-shot-"))
    with open(SAMPLE / "codings.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    given = work / "given.csv"
    with open(given, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["transcript"] in ("P1", "P2"))
    command = [sys.executable, "-c", "from nlpthemes.cli import main; main()", "review", str(work / "study"),
               "--transcripts", str(SAMPLE / "transcripts"), "--codebook", str(SAMPLE / "codebook.csv"),
               "--codings", str(given), "-i", "Dan", "--coder", "Ana", "--no-browser", "--quiet"]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        url = ""
        while not url:
            line = server.stdout.readline() if server.stdout else ""
            if not line:
                raise SystemExit("the review server stopped before printing its address")
            found = re.search(r"http://\S+", line)
            url = found.group(0) if found else ""
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1440,900",
                         f"--user-data-dir={work / 'profile'}"):  # fmt: skip
            options.add_argument(argument)
        os.environ.setdefault("SE_OFFLINE", "true")
        web = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            web.get(url)
            WebDriverWait(web, 60).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))
            for key in ("1", "x", "1", "x", "x", "2", "x"):  # a coder at work: accept, reject the rest, next
                ActionChains(web).send_keys(key).perform()
                time.sleep(0.8)
            web.save_screenshot(str(work / "shot.png"))
        finally:
            web.quit()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)
    from PIL import Image

    with Image.open(work / "shot.png") as image:
        small = image.convert("RGB").resize((1200, 750), Image.Resampling.LANCZOS)
        small.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(args.out, optimize=True)
    print(f"{args.out}: {args.out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
