"""A logistic model over (sentence, code) pair features, standardised, saved as plain arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlpthemes._params import ParamsMixin
from nlpthemes.errors import NotFittedError

__all__ = ["PairLogit"]


class PairLogit(ParamsMixin):
    """Logistic regression on standardised pair features; probabilities for each pair.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength.

    Attributes
    ----------
    mean_, scale_ : arrays (f,)
        Standardisation of the features.
    coef_ : array (f,)
    intercept_ : float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(500, 2)); y = x[:, 0] + 0.3 * rng.normal(size=500) > 1
    >>> model = PairLogit().fit(x, y)
    >>> round(float(model.predict_proba(np.array([[3.0, 0.0]]))[0]), 2) > 0.9
    True
    """

    def __init__(self, *, C: float = 1.0) -> None:
        self.C = C

    def fit(self, features: NDArray[np.float64], target: NDArray[np.bool_]) -> PairLogit:
        """Fit on rows of ``features`` with boolean ``target``; returns ``self``."""
        from sklearn.linear_model import LogisticRegression

        x = np.asarray(features, dtype=np.float64)
        y = np.asarray(target, dtype=bool)
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        if y.all() or not y.any():
            coef, intercept = np.zeros(x.shape[1]), float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3)))
        else:
            model = LogisticRegression(C=self.C, max_iter=2000, solver="newton-cholesky").fit((x - mean) / scale, y)
            coef, intercept = model.coef_[0].astype(np.float64), float(model.intercept_[0])
        self.mean_, self.scale_, self.coef_, self.intercept_ = mean, scale, coef, intercept
        return self

    def decision_function(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log-odds of each row."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("this PairLogit is not fitted yet: call fit first")
        x = (np.asarray(features, dtype=np.float64) - self.mean_) / self.scale_
        return np.asarray(x @ self.coef_ + self.intercept_, dtype=np.float64)

    def predict_proba(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability of each row (a 1-d array)."""
        z = np.clip(self.decision_function(features), -35, 35)
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def to_arrays(self) -> dict[str, NDArray[np.float64]]:
        """The fitted state as arrays (for saving without pickle)."""
        return {"mean": self.mean_, "scale": self.scale_, "coef": self.coef_,
                "intercept": np.array([self.intercept_])}  # fmt: skip

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], *, C: float = 1.0) -> PairLogit:
        """Rebuild a fitted model from :meth:`to_arrays`."""
        model = cls(C=C)
        model.mean_ = np.asarray(arrays["mean"], dtype=np.float64)
        model.scale_ = np.asarray(arrays["scale"], dtype=np.float64)
        model.coef_ = np.asarray(arrays["coef"], dtype=np.float64)
        model.intercept_ = float(np.asarray(arrays["intercept"]).ravel()[0])
        return model
