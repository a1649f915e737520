"""evaluation/run_all.py: results file, merging, and the README section it generates."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "evaluation" / "run_all.py"


@pytest.fixture(scope="module")
def run_all():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("run_all_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


README = """# tool

intro

## Evaluation
how to run it

<!-- results:start -->
typed by hand, stale
<!-- results:end -->

## Next section
kept
"""


def test_a_real_evaluation_lands_in_the_results_and_the_readme(run_all, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bench = run_all.Evaluation("bench_agreement", "Speed of alpha", None, extra=("--units", "300", "--repeat", "1"))
    result = run_all.run(bench, tmp_path, quick=False, timeout=300)
    assert result["status"] == 0, result["stderr"]
    text = run_all.markdown([result], tmp_path)
    sections = run_all.split_sections(text)
    assert list(sections) == ["bench_agreement"]
    assert "bootstrap, 1000 resamples of 300 units" in sections["bench_agreement"]
    assert "| [bench_agreement](#bench_agreement) | ok |" in text
    assert f"CPUs: {run_all.cpu_description()['model']} (" in text  # where it ran: figures move with the CPU

    readme = run_all.update_readme(README, text)
    assert "typed by hand" not in readme
    assert "#### bench_agreement" in readme and "bootstrap, 1000 resamples" in readme
    assert readme.startswith("# tool\n\nintro\n") and readme.endswith("## Next section\nkept\n")
    assert run_all.update_readme(readme, text) == readme  # regenerating changes nothing


def test_merge_keeps_other_sections_and_replaces_the_rerun_one(run_all, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = ("# nlpthemes: evaluation results\n\nintro\n\n| evaluation | status | seconds | run |\n|---|---|---|---|\n\n"
           "## suggest_eval\n\nCode suggestions. `python evaluation/suggest_eval.py` — ok, 600 s, run 2026-01-01.\n\n| k |\n\n"
           "## bench_gpu_embed\n\nGPU. `python evaluation/bench_gpu_embed.py` — ok, 30 s, run 2026-01-02.\n\nold gpu\n")  # fmt: skip
    gpu = next(e for e in run_all.KNOWN if e.name == "bench_gpu_embed")
    new = run_all.skipped(gpu, tmp_path, quick=False, why="no CUDA GPU here")
    text = run_all.markdown([new], tmp_path, kept=run_all.split_sections(old))
    sections = run_all.split_sections(text)
    assert list(sections) == ["suggest_eval", "bench_gpu_embed"]  # the known order, not the file's
    assert "run 2026-01-01" in sections["suggest_eval"]
    assert "old gpu" not in text and "skipped (no CUDA GPU here)" in sections["bench_gpu_embed"]
    assert "| [suggest_eval](#suggest_eval) | ok | 600 | 2026-01-01 |" in text


def test_a_readme_without_markers_is_refused(run_all) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit, match="results:start"):
        run_all.update_readme("# no markers\n", "# T\n\nx\n")


def test_the_repository_readme_has_the_generated_section(run_all) -> None:  # type: ignore[no-untyped-def]
    readme = (SCRIPT.parents[1] / "README.md").read_text(encoding="utf-8")
    assert readme.count(run_all.START) == 1 and readme.count(run_all.END) == 1
    results = SCRIPT.parent / "results.md"
    if results.is_file():  # the README shows exactly what the last run wrote
        assert run_all.update_readme(readme, results.read_text(encoding="utf-8")) == readme
