"""Checks that need ../shared (skipped without it)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from nlpthemes.agreement import summarize_agreement

REPO = Path(__file__).resolve().parents[2]
COPY = REPO / "tests" / "data" / "agreement" / "agreement_vectors.json"


@pytest.mark.shared
def test_vector_copy_matches_the_shared_reference(shared_data: Path) -> None:
    original = shared_data.parent / "reference" / "agreement_vectors.json"
    if not original.is_file():
        pytest.skip(f"{original} not found")
    assert json.loads(COPY.read_text(encoding="utf-8")) == json.loads(
        original.read_text(encoding="utf-8")
    )


@pytest.mark.shared
def test_annomi_agreement(shared_data: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "agreement_annomi", REPO / "evaluation" / "agreement_annomi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = shared_data / "annomi"
    if not (folder / "AnnoMI-full.csv").is_file():
        pytest.skip("AnnoMI-full.csv not found")
    therapist = summarize_agreement(
        module.annomi_long(folder, "therapist_behaviour"), n_resamples=0
    )
    client = summarize_agreement(module.annomi_long(folder, "client_talk_type"), n_resamples=0)
    assert (therapist.n_units, therapist.n_coders, len(therapist.pairs)) == (216, 10, 45)
    assert (client.n_units, client.n_coders) == (212, 10)
    # regression values measured with this implementation (see the final report)
    assert therapist.metrics["fleiss_kappa"] == pytest.approx(0.737, abs=5e-4)
    assert client.metrics["fleiss_kappa"] == pytest.approx(0.467, abs=5e-4)
