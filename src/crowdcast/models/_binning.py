"""A LightGBM dataset binned from a feature table that is never held whole.

LightGBM keeps its training data as bins: one small integer per value. The
float table they come from is four times larger (``float32``), and for a
thousand zones of a year it is the largest object of a fit (15.5 million rows
by 52 columns: 3.0 GiB). :func:`binned_dataset` therefore builds a large table
in chunks and hands each chunk to LightGBM, which bins it and lets it go:

1. the bin boundaries come from a random sample of rows, as LightGBM would
   choose them itself (``bin_construct_sample_cnt`` rows, 200,000 by
   default), binned into a small reference dataset;
2. the full dataset takes the reference's boundaries and receives the rows
   chunk by chunk through a :class:`lightgbm.Sequence`.

A table of at most one chunk, or no larger than the sample, is built whole
and binned by LightGBM itself: streaming would save nothing there.

This module imports LightGBM at import time; :mod:`crowdcast.models._gbm`
imports it only when fitting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

__all__ = ["binned_dataset"]

#: LightGBM's default ``bin_construct_sample_cnt``.
_SAMPLE_ROWS = 200_000


class _Chunks(lgb.Sequence):
    """The feature table of ``rows``, computed a chunk at a time when LightGBM reads it."""

    def __init__(
        self, rows: pd.DataFrame, features: Callable[[pd.DataFrame], np.ndarray], chunk: int
    ) -> None:
        self.rows = rows
        self.features = features
        self.batch_size = chunk

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, idx: int | slice | list[int]) -> np.ndarray:
        # LightGBM reads slices here; one row (int) and a list complete the protocol
        if isinstance(idx, int | np.integer):
            return self.features(self.rows.iloc[[idx]])[0]
        return self.features(self.rows.iloc[idx])


def binned_dataset(
    rows: pd.DataFrame,
    features: Callable[[pd.DataFrame], np.ndarray],
    label: np.ndarray,
    *,
    feature_name: list[str],
    categorical: Sequence[str] = (),
    params: dict[str, Any],
    chunk: int,
    seed: int,
    keep: np.ndarray | None = None,
) -> tuple[lgb.Dataset, np.ndarray | None]:
    """The constructed LightGBM dataset of ``features(rows)``, and the features of ``keep``.

    Parameters
    ----------
    rows
        The training rows, one per row of the table.
    features
        Computes the ``float32`` feature matrix of some of ``rows``.
    label
        One target per row.
    feature_name, params
        LightGBM feature names and dataset parameters (``max_bin``,
        ``bin_construct_sample_cnt``...).
    categorical
        The features LightGBM should treat as categories (among ``feature_name``).
    chunk
        Rows computed at once when the table is streamed.
    seed
        Seed of the rows sampled for the bin boundaries.
    keep
        Boolean mask of rows whose feature matrix is returned as well (the
        held-out rows of a calibration), or None.
    """
    sample = int(params.get("bin_construct_sample_cnt", _SAMPLE_ROWS))
    common: dict[str, Any] = {
        "feature_name": feature_name,
        "categorical_feature": list(categorical),
        "params": params,
    }
    if len(rows) <= max(sample, chunk):
        X = features(rows)
        kept = X[keep] if keep is not None else None
        whole = lgb.Dataset(X, label=label, free_raw_data=True, **common)
        return whole.construct(), kept
    picked = np.sort(np.random.default_rng(seed).choice(len(rows), size=sample, replace=False))
    reference = lgb.Dataset(features(rows.iloc[picked]), free_raw_data=True, **common).construct()
    streamed = lgb.Dataset(
        _Chunks(rows, features, chunk),
        label=label,
        reference=reference,
        free_raw_data=True,
        **common,
    ).construct()
    kept = features(rows[keep]) if keep is not None else None
    return streamed, kept
