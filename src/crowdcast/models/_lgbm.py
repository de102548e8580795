"""LightGBM's parameters under one name each, and boosting on an already binned dataset.

LightGBM accepts several names for one parameter (``n_estimators``,
``num_iterations``, ``num_trees``...) and silently keeps one when two are
given. :func:`canonical_params` maps ``lgbm_params`` to one name per
parameter and reports the conflicts, so that crowdcast reads exactly what
LightGBM will use (the rounds, the learning rate, the bin sample).
"""

from __future__ import annotations

from typing import Any

from crowdcast._validation import Problems
from crowdcast.exceptions import ParameterError

__all__ = ["boost", "canonical_params", "dataset_params"]

#: LightGBM's names for the number of boosting rounds (``lgbm_params`` may use any).
_ROUNDS = (
    "n_estimators",
    "num_iterations",
    "num_iteration",
    "n_iter",
    "num_tree",
    "num_trees",
    "num_round",
    "num_rounds",
    "nrounds",
    "num_boost_round",
    "max_iter",
)
#: LightGBM's other names for the parameters crowdcast reads or sets itself.
_ALIASES = {
    **{k: "n_estimators" for k in _ROUNDS},
    "eta": "learning_rate",
    "shrinkage_rate": "learning_rate",
    "seed": "random_state",
    "random_seed": "random_state",
    "verbosity": "verbose",
    "max_bins": "max_bin",
    "subsample_for_bin": "bin_construct_sample_cnt",
}


def canonical_params(
    params: dict[str, Any] | None,
) -> tuple[dict[str, Any], Problems]:
    """``lgbm_params`` under one name per parameter, and what is wrong with them.

    Two names for one parameter would leave LightGBM to pick one silently
    (``{"n_estimators": 200, "num_iterations": 500}`` trains 200 rounds), and
    the seed belongs to ``random_state``.

    >>> canonical_params({"eta": 0.05, "num_iterations": 300})[0]
    {'learning_rate': 0.05, 'n_estimators': 300}
    """
    found = Problems(error=ParameterError)
    if params is None:
        return {}, found
    if not isinstance(params, dict):
        found.add("`lgbm_params`", "a dict of LightGBM parameters", repr(params))
        return {}, found
    out: dict[str, Any] = {}
    named: dict[str, str] = {}
    for key, value in params.items():
        name = _ALIASES.get(key, key)
        if name == "random_state":
            found.add(
                "`lgbm_params`",
                "without a seed",
                repr(key),
                hint="set GBMForecaster(random_state=...) instead",
            )
        elif name in named:
            found.add(
                "`lgbm_params`",
                f"one name for {name}",
                f"{named[name]!r} and {key!r}",
                hint=f"keep only {name!r}",
            )
        else:
            named[name] = key
            out[name] = value
    return out, found


#: Parameters that shape the binned dataset rather than the trees.
_DATASET = ("max_bin", "min_data_in_bin", "bin_construct_sample_cnt", "verbose", "verbosity")


def dataset_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k in _DATASET}


def boost(train: Any, params: dict[str, Any], **objective: Any) -> Any:
    """Train one LightGBM booster on an already binned dataset.

    ``params`` use canonical names (:func:`canonical_params`), so the rounds
    are ``n_estimators`` alone.
    """
    import lightgbm as lgb

    p = dict(params)
    rounds = int(p.pop("n_estimators", 100))
    return lgb.train({**p, **objective}, train, num_boost_round=rounds)
