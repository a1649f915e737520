"""Decisions from calibrated probabilities: thresholds that adapt to the sentences being decided."""

from __future__ import annotations

import numpy as np

from nlpthemes.suggest._calibrate import mean_kappa
from nlpthemes.suggest._decide import MIN_EXPECTED, THRESHOLDS, adapted_thresholds


def _calibrated(seed: int, n: int, shape: tuple[float, float], codes: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and codes drawn from them: the probabilities are calibrated by construction."""
    rng = np.random.default_rng(seed)
    proba = rng.beta(*shape, size=(n, codes))
    return proba, rng.random(proba.shape) < proba


def test_adapted_thresholds_reach_nearly_the_best_kappa_without_reading_the_codes() -> None:
    # thresholds learned where the codes were rarer (too strict) or commoner (too lenient) than
    # on the sentences now decided; the adapted ones come from the probabilities alone
    proba, codes = _calibrated(0, 3000, (0.5, 4.0), 4)
    learned = np.array([0.7, 0.6, 0.06, 0.04])
    adapted = adapted_thresholds(proba, learned)
    for j in range(proba.shape[1]):
        best = max(mean_kappa(codes[:, [j]], proba[:, [j]] >= t) for t in THRESHOLDS)
        reached = mean_kappa(codes[:, [j]], proba[:, [j]] >= adapted[j])
        assert reached >= best - 0.02, (j, reached, best)
        assert reached > mean_kappa(codes[:, [j]], proba[:, [j]] >= learned[j]) + 0.05
    assert mean_kappa(codes, proba >= adapted) > mean_kappa(codes, proba >= learned) + 0.1


def test_codes_expected_too_rarely_keep_their_learned_threshold() -> None:
    proba, _ = _calibrated(1, 200, (0.5, 4.0), 2)
    proba[:, 1] *= (MIN_EXPECTED - 0.5) / proba[:, 1].sum()  # expected 1.5 times among these sentences
    learned = np.array([0.5, 0.33])
    adapted = adapted_thresholds(proba, learned)
    assert adapted[1] == 0.33 and adapted[0] != 0.5 and adapted[0] in THRESHOLDS
    assert adapted_thresholds(proba[:0], learned).tolist() == learned.tolist()  # nothing to decide
