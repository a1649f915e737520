"""Run every benchmark and quality evaluation under evaluation/ and write one markdown file.

Each evaluation runs as its own process (``python evaluation/<name>.py``) on the
shared data folder; its printed tables go into ``evaluation/results.md`` with the
command, date, wall time and exit status. Some take many minutes: choose with
``--only`` / ``--skip``, or ``--quick`` for smaller settings. ``--merge`` keeps
the sections of evaluations not run this time (each section says when it ran).
GPU benchmarks are skipped, and say so, where torch sees no CUDA device.

``--readme README.md`` then copies the results into the README, between the
lines ``<!-- results:start -->`` and ``<!-- results:end -->``: the README's
results section is generated, never typed.

Usage::

    python evaluation/run_all.py [--data ../shared/data] [--out evaluation/results.md]
                                 [--only suggest_eval bench_agreement] [--skip bench_embed]
                                 [--quick] [--merge] [--readme README.md] [--timeout 3600] [--list]
    python evaluation/run_all.py --readme README.md --only   # README from the existing results.md
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nlpthemes.embed._onnx import cpu_description

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DATA = Path(os.environ.get("NLPTHEMES_SHARED_DATA", REPO.parent / "shared" / "data"))
NOT_EVALUATIONS = {"run_all", "datasets"}
START, END = "<!-- results:start -->", "<!-- results:end -->"
TITLE = "# nlpthemes: evaluation results"


@dataclass(frozen=True)
class Evaluation:
    """One script: how it is told where the data is, and its quick settings."""

    name: str
    title: str
    data_flag: str | None = "--data"
    data_subdir: str = ""
    quick: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default=())
    gpu: bool = False

    def command(self, data: Path, quick: bool) -> list[str]:
        args = [sys.executable, str(HERE / f"{self.name}.py")]
        if self.data_flag:
            args += [self.data_flag, str(data / self.data_subdir if self.data_subdir else data)]
        return args + list(self.extra) + list(self.quick if quick else ())


KNOWN = (
    Evaluation("segment_shared", "Reading and segmenting every shared data set (offsets checked)", "--shared"),
    Evaluation("layouts_check", "Transcript layouts, the shared data read as before, fillers by language", "--shared"),
    Evaluation("agreement_annomi", "Agreement on AnnoMI (human coders, published design)", "--data", "annomi",
               quick=("--bootstrap", "200")),
    Evaluation("bench_agreement", "Speed: Krippendorff's alpha against the krippendorff package", None,
               quick=("--units", "20000", "--repeat", "5")),
    Evaluation("bench_embed", "Speed: embedding against plain sentence-transformers", "--data",
               quick=("-n", "1000", "--repeat", "1")),
    Evaluation("bench_cached", "Speed: commands cold against the same command again from the cache", "--data",
               quick=("--commands", "embed", "--models", "default")),
    Evaluation("multilingual_embed", "Multilingual embeddings (Korean, Japanese)", "--data",
               quick=("--speech-acts", "500")),
    Evaluation("suggest_eval", "Code suggestions against human codes", "--shared",
               quick=("--seeds", "1", "--methods", "baselines", "zeroshot", "learned", "percode", "knn")),
    Evaluation("match_eval", "Theme-codebook matching", "--shared"),
    Evaluation("themes_ctrlshift", "Themes on the CTRL-SHIFT oral histories", "--data", quick=("--no-per-interview",)),
    Evaluation("themes_epochs", "Themes: UMAP's epochs, fit time and AMI against human codes", "--shared",
               quick=("--seeds", "42")),
    Evaluation("bench_themes", "Speed: theme fitting against BERTopic defaults", "--data",
               quick=("--sizes", "10000", "--no-reverse")),
    Evaluation("bench_batch", "Speed and quality of batch modes against plain sentence-transformers + BERTopic",
               "--shared"),
    Evaluation("batch_memory", "Peak memory of batch as the input grows", "--shared", quick=("--copies", "1", "4")),
    Evaluation("review_sim", "A coder's review replayed: how fast the suggester learns from decisions", "--shared",
               quick=("--max-decisions", "100")),
    Evaluation("bench_gpu_embed", "Speed: GPU embedding of 1M sentences against plain encode", None, gpu=True),
    Evaluation("bench_gpu_batch", "Speed: the whole nlpthemes batch on 100k sentences on a GPU", None, gpu=True),
)  # fmt: skip


def available() -> list[Evaluation]:
    """The known evaluations whose script exists, then any other script in evaluation/ (run without options)."""
    present = {p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_")} - NOT_EVALUATIONS
    known = [e for e in KNOWN if e.name in present]
    names = {e.name for e in known}
    extra = [Evaluation(name, f"{name} (found in evaluation/)", None) for name in sorted(present - names)]
    return known + extra


def has_cuda() -> bool:
    """Whether torch sees a CUDA device (asked in a child process, so this one stays light)."""
    probe = [sys.executable, "-c", "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def run(evaluation: Evaluation, data: Path, *, quick: bool, timeout: float) -> dict[str, object]:
    """Run one evaluation; never raises (a failure is reported in the results)."""
    command = evaluation.command(data, quick)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NLPTHEMES_SHARED_DATA": str(data),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}  # fmt: skip
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env, check=False)
        status, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        status, stdout, stderr = "timeout", str(exc.stdout or ""), f"stopped after {timeout:.0f} s"
    return {"evaluation": evaluation, "command": command, "status": status, "stdout": stdout, "stderr": stderr,
            "seconds": time.perf_counter() - started, "when": time.strftime("%Y-%m-%d"), "quick": quick}  # fmt: skip


def skipped(evaluation: Evaluation, data: Path, *, quick: bool, why: str) -> dict[str, object]:
    """The result of an evaluation that was not run here."""
    return {"evaluation": evaluation, "command": evaluation.command(data, quick), "status": f"skipped ({why})",
            "stdout": "", "stderr": "", "seconds": 0.0, "when": time.strftime("%Y-%m-%d"), "quick": quick}  # fmt: skip


def _block(text: str) -> str:
    """Markdown tables stay as they are; other output goes in a code block."""
    text = text.strip()
    if not text:
        return "_(no output)_"
    if any(line.lstrip().startswith("|") for line in text.splitlines()):
        return text
    return f"```\n{text}\n```"


def tables_apart(text: str) -> str:
    r"""A blank line before and after every markdown table, so that it renders as one.

    >>> tables_apart("title\n| a |\n|---|\n| 1 |\nafter")
    'title\n\n| a |\n|---|\n| 1 |\n\nafter'
    """
    out: list[str] = []
    fence = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
        is_row = not fence and line.lstrip().startswith("|")
        was_row = bool(out) and out[-1].lstrip().startswith("|")
        if out and out[-1].strip() and is_row != was_row and not line.startswith("```") and not out[-1].startswith("```"):
            out.append("")
        out.append(line)
    return "\n".join(out)


def _status(r: dict[str, object]) -> str:
    status = r["status"]
    return "ok" if status == 0 else str(status) if str(status).startswith("skipped") else f"failed ({status})"


def section(r: dict[str, object]) -> str:
    """One evaluation's section: heading, what ran and when, its output."""
    e = r["evaluation"]
    assert isinstance(e, Evaluation)
    shown = " ".join(str(c) for c in r["command"][1:]).replace(str(REPO) + "/", "")  # type: ignore[attr-defined]
    shown = re.sub(r"\S*/shared/data", "../shared/data", shown)
    lines = [f"## {e.name}", "",
             f"{e.title}. `python {shown}` — {_status(r)}, {float(r['seconds']):.0f} s, run {r['when']}.",  # type: ignore[arg-type]
             "", _block(str(r["stdout"]))]  # fmt: skip
    if r["status"] != 0 and not str(r["status"]).startswith("skipped"):
        tail = "\n".join(str(r["stderr"]).strip().splitlines()[-15:])
        lines += ["", "Errors (last lines):", "", f"```\n{tail}\n```"]
    return "\n".join(lines)


def split_sections(markdown_text: str) -> dict[str, str]:
    """The ``## name`` sections of a results file, by name (the summary table is not one).

    >>> split_sections("# t\\n\\n| a |\\n\\n## one\\n\\nx\\n\\n## two\\n\\ny\\n")
    {'one': '## one\\n\\nx', 'two': '## two\\n\\ny'}
    """
    parts = re.split(r"(?m)^(?=## )", markdown_text)
    found = {}
    for part in parts[1:]:
        name = part.split("\n", 1)[0][3:].strip()
        found[name] = part.strip()
    return found


def markdown(results: list[dict[str, object]], data: Path, *, kept: dict[str, str] | None = None) -> str:
    """The results file: when and where it ran, a summary line per evaluation, then each section."""
    cpu = cpu_description()
    host = (f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs: {cpu['model']}"
            f" ({', '.join(cpu['extensions']) or 'no int8 extensions listed'})")
    quick = any(r["quick"] for r in results)
    lines = [TITLE, "",
             f"Last generated by `python evaluation/run_all.py{' --quick' if quick else ''}` on "
             f"{time.strftime('%Y-%m-%d %H:%M')} ({host}); data: `../shared/data`"
             f"{'' if data.resolve() == DEFAULT_DATA.resolve() else f' ({data.name})'}. Each section gives the "
             "command that made it and when it ran.", ""]  # fmt: skip
    sections = dict(kept or {})
    order = [e.name for e in available()]
    for r in results:
        e = r["evaluation"]
        assert isinstance(e, Evaluation)
        sections[e.name] = section(r)
    names = sorted(sections, key=lambda n: (order.index(n) if n in order else len(order), n))
    lines += ["| evaluation | status | seconds | run |", "|---|---|---|---|"]
    for name in names:
        head = sections[name].split("\n")[2] if sections[name].count("\n") >= 2 else ""
        found = re.search(r"— (.*), (\d+) s, run (\S+)\.$", head)
        status, seconds, when = found.groups() if found else ("?", "?", "?")
        lines.append(f"| [{name}](#{name}) | {status} | {seconds} | {when} |")
    for name in names:
        lines += ["", sections[name]]
    return tables_apart("\n".join(lines)) + "\n"


def update_readme(readme: str, results: str) -> str:
    """The README with the text between the results markers replaced by ``results``.

    Headings go two levels down (the section sits under a ``###``), and the
    file's own title is dropped.

    >>> update_readme("a\\n<!-- results:start -->\\nold\\n<!-- results:end -->\\nb\\n", "# T\\n\\nnew\\n\\n## x\\n")
    'a\\n<!-- results:start -->\\nnew\\n\\n#### x\\n<!-- results:end -->\\nb\\n'
    """
    if START not in readme or END not in readme:
        raise SystemExit(f"the README has no '{START}' ... '{END}' lines to replace")
    body = results.strip().split("\n", 1)[1].strip() if results.startswith("# ") else results.strip()
    body = tables_apart(re.sub(r"(?m)^(#{2,4}) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", body))
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--out", type=Path, default=HERE / "results.md", help="markdown file to write")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="run only these evaluations (none: run nothing)")
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[], help="leave these out")
    parser.add_argument("--quick", action="store_true", help="smaller settings (minutes, not an hour)")
    parser.add_argument("--merge", action="store_true", help="keep the other evaluations' sections of --out")
    parser.add_argument("--readme", type=Path, help="copy the results into this README's results section")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per evaluation")
    parser.add_argument("--list", action="store_true", help="list the evaluations and exit")
    args = parser.parse_args(argv)
    found = available()
    names = [e.name for e in found]
    if args.list:
        for e in found:
            print(f"{e.name:<20} {e.title}{' (GPU)' if e.gpu else ''}")
        return 0
    unknown = [n for n in [*(args.only or []), *args.skip] if n not in names]
    if unknown:
        parser.error(f"unknown evaluation(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    chosen = [e for e in found if (args.only is None or e.name in args.only) and e.name not in args.skip]
    if chosen and not args.data.is_dir():
        print(f"warning: {args.data} is not a folder; evaluations that need shared data will fail", file=sys.stderr)
    cuda = has_cuda() if any(e.gpu for e in chosen) else False
    results = []
    for e in chosen:
        if e.gpu and not cuda:
            results.append(skipped(e, args.data, quick=args.quick, why="no CUDA GPU here"))
            continue
        print(f"running {e.name} ...", file=sys.stderr, flush=True)
        results.append(run(e, args.data, quick=args.quick, timeout=args.timeout))
        r = results[-1]
        print(f"  {e.name}: {_status(r)} in {float(r['seconds']):.0f} s", file=sys.stderr)  # type: ignore[arg-type]
    if results:
        kept = split_sections(args.out.read_text(encoding="utf-8")) if args.merge and args.out.is_file() else {}
        args.out.write_text(markdown(results, args.data, kept=kept), encoding="utf-8")
        print(f"-> {args.out}", file=sys.stderr)
    if args.readme:
        readme = args.readme.read_text(encoding="utf-8")
        args.readme.write_text(update_readme(readme, args.out.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"-> {args.readme} (results section)", file=sys.stderr)
    return 0 if all(r["status"] == 0 or str(r["status"]).startswith("skipped") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
