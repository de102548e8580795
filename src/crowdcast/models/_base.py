"""One interface for every forecaster, and the forecast contract it returns.

Every forecaster:

- stores its arguments in ``__init__`` and validates them in ``fit``
  (scikit-learn contract; learned state ends in ``_``);
- ``fit(data)`` learns from a :class:`~crowdcast.City` (or from loose
  tables: ``fit(counts, *, events=None, weather=None, site=None,
  purpose=None)``, wrapped into one) and returns ``self``;
- ``predict(data=None, *, origin=None, horizon=None, events=None,
  weather=None)`` forecasts horizons ``1..H`` from ``origin`` (default: the
  interval after the last observation) using only counts before the origin,
  the event calendar and weather forecasts issued at or before the origin;
- ``predict_rows(rows, data)`` does the same for many ``(zone, origin,
  horizon)`` rows at once (backtests);
- returns the forecast contract: ``zone, origin, timestamp, horizon`` and one
  column per quantile (``q0.1``, ``q0.5``, ``q0.9``), non-negative and never
  crossing, with the model's provenance in ``DataFrame.attrs["provenance"]``.

Subclasses implement ``_fit(data, history)`` and ``_predict(rows, data,
history) -> ndarray (n_rows, n_quantiles)``, and declare the rules of their
own parameters in ``_parameter_rules`` (checked once, when ``fit`` starts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from crowdcast._city import City, as_city
from crowdcast._validation import (
    Check,
    Duration,
    ParameterRules,
    PositiveInt,
    check_is_fitted,
    fit_context,
)
from crowdcast._version import __version__
from crowdcast.exceptions import ParameterError, Problem
from crowdcast.profiles import SiteProfile
from crowdcast.schemas import (
    History,
    TimestampLike,
    as_utc,
    interval_text,
    make_rows,
    quantile_column,
    validate_counts,
)

__all__ = ["BaseForecaster", "Provenance", "fingerprint", "interval_steps"]

#: A horizon or window: a number of intervals, or a duration ("24h", a Timedelta).
StepsLike = int | str | pd.Timedelta


def interval_steps(value: StepsLike, freq: pd.Timedelta, what: str = "`horizon`") -> int:
    """Intervals of ``freq`` in ``value``: an integer as it is, a duration divided by ``freq``.

    So 24 hours of 30-minute counts are 48 intervals. A duration that is not
    a whole number of intervals, and anything not positive, is a
    :class:`~crowdcast.exceptions.ParameterError`.

    Examples
    --------
    >>> interval_steps("24h", pd.Timedelta("30min"))
    48
    >>> interval_steps(6, pd.Timedelta("15min"))
    6
    """
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        if value >= 1:
            return int(value)
        got = repr(value)
    else:
        try:
            span: pd.Timedelta | None = pd.Timedelta(value)
        except (TypeError, ValueError):
            span = None
        positive = span is not None and not pd.isna(span) and span > pd.Timedelta(0)
        if positive and span is not None and span.value % freq.value == 0:
            return int(span.value // freq.value)
        got = repr(value)
    raise ParameterError(
        [
            Problem(
                what,
                "a positive number of intervals, or a duration that is a whole number of "
                f"counting intervals ({interval_text(freq)})",
                got,
                hint="e.g. 24 (intervals) or '24h'",
            )
        ]
    )


def _probabilities(value: Any) -> bool:
    qs = list(value)
    return bool(qs) and all(0 < q < 1 for q in qs) and len(set(qs)) == len(qs)


def fingerprint(df: pd.DataFrame | None) -> str | None:
    """A short, stable SHA-256 of a table's content (None for no table)."""
    if df is None:
        return None
    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Provenance:
    """What a fitted forecaster was based on; printed in reports and model cards."""

    model: str
    params: dict[str, Any]
    crowdcast_version: str
    fitted_at: str
    training_start: str
    training_end: str
    freq: str
    zones: tuple[str, ...]
    features: tuple[str, ...]
    data_fingerprints: dict[str, str | None]
    site: str | None
    purpose: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class BaseForecaster(BaseEstimator):
    """Shared plumbing of all forecasters. Not used directly."""

    horizon: int
    quantiles: Sequence[float]

    _parameter_rules: ClassVar[ParameterRules] = {
        "horizon": [
            PositiveInt(),
            Duration(expectation="a duration such as '24h'"),
        ],
        "quantiles": [
            Check(_probabilities, "distinct probabilities strictly between 0 and 1"),
        ],
    }

    @property
    def quantile_columns(self) -> list[str]:
        return [quantile_column(q) for q in sorted(self.quantiles)]

    # ------------------------------------------------------------------ fit

    @fit_context
    def fit(
        self,
        data: City | pd.DataFrame,
        *,
        events: pd.DataFrame | None = None,
        weather: pd.DataFrame | None = None,
        site: SiteProfile | None = None,
        purpose: str | None = None,
    ) -> BaseForecaster:
        """Learn from a :class:`~crowdcast.City`, or from loose tables.

        Parameters
        ----------
        data
            A City (``load_city``, ``load_sample``, ``City.from_tables``), or
            a counts table; then ``events``, ``weather``, ``site`` and
            ``purpose`` may be given beside it and are wrapped, validated,
            into a City (its purpose is checked against the site's sources).
        events, weather, site, purpose
            Only with a counts table: a City carries its own.

        The purpose (from :data:`crowdcast.profiles.PURPOSES`) is recorded in
        the provenance.
        """
        city = as_city(data, events=events, weather=weather, site=site, purpose=purpose)
        history = city.history()
        self.freq_ = history.freq
        self.horizon_ = interval_steps(self.horizon, history.freq)
        self.zones_ = history.zones
        self.history_ = history
        self.events_, self.weather_ = city.events, city.weather
        # the model keeps only the non-confidential view of the site (no weights, venues,
        # sources, coordinates): saved models must not carry them; fitting may read them
        self.site_ = city.site.for_model() if city.site is not None else None
        self._fit(city.with_grid(history), history)
        self.provenance_ = Provenance(
            model=type(self).__name__,
            params={k: _plain(v) for k, v in self.get_params(deep=False).items()},
            crowdcast_version=__version__,
            fitted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            training_start=str(history.start),
            training_end=str(history.end),
            freq=str(history.freq),
            zones=history.zones,
            features=tuple(self._feature_names()),
            data_fingerprints={
                "counts": fingerprint(city.counts),
                "events": fingerprint(city.events),
                "weather": fingerprint(city.weather),
            },
            site=city.site.id if city.site is not None else None,
            purpose=city.purpose,
        )
        return self

    def _fit(self, data: City, history: History) -> None:
        raise NotImplementedError

    def _feature_names(self) -> list[str]:
        return []

    # ------------------------------------------------------------------ predict

    def _check_fitted(self) -> None:
        check_is_fitted(self, "provenance_", call="fit(counts, ...)")

    def _fitted_horizon(self) -> int:
        """Intervals the model was fitted to forecast (models saved before: ``horizon``)."""
        return int(getattr(self, "horizon_", self.horizon))

    def _lookback(self) -> pd.Timedelta:
        """How far back the forecast reads counts: beyond it, an origin is stale."""
        return pd.Timedelta("14D")

    def _inputs(
        self,
        data: City | pd.DataFrame | None,
        events: pd.DataFrame | None,
        weather: pd.DataFrame | None,
    ) -> City:
        """What a forecast reads: the given data, else what ``fit`` saw, on one history grid."""
        site = self.site_
        if isinstance(data, City):
            if events is not None or weather is not None:
                as_city(data, events=events, weather=weather)  # raises: a City carries its own
            events, weather = data.events, data.weather
            history = History.from_counts(data.counts, self.freq_)
            site = data.site if data.site is not None else site  # the full profile, if given
        elif data is None:
            history = self.history_
        else:
            counts = validate_counts(data, source="counts passed to predict")
            history = History.from_counts(counts, self.freq_)
        unseen = sorted(set(history.zones) - set(self.zones_))
        if unseen:
            raise ParameterError(
                [
                    Problem(
                        "the zones of the counts",
                        f"zones the model was fitted on ({', '.join(self.zones_)})",
                        f"also {', '.join(map(repr, unseen))}",
                        hint="refit with counts that include them, or leave them out: "
                        "counts[counts['zone'].isin(model.zones_)]",
                    )
                ]
            )
        return City(
            counts=pd.DataFrame(),  # the history grid is used directly
            events=events if events is not None else self.events_,
            weather=weather if weather is not None else self.weather_,
            site=site,
        ).with_grid(history)

    def predict(
        self,
        data: City | pd.DataFrame | None = None,
        *,
        origin: TimestampLike | None = None,
        horizon: StepsLike | None = None,
        events: pd.DataFrame | None = None,
        weather: pd.DataFrame | None = None,
        stale_after: str | pd.Timedelta | None = None,
        allow_stale: bool = False,
    ) -> pd.DataFrame:
        """Forecast every zone for horizons ``1..horizon`` from ``origin``.

        Parameters
        ----------
        data
            History up to the origin (values at or after it are ignored): a
            City (its counts, events, weather and site profile) or a counts
            table; the training data when omitted. A model keeps only the
            non-confidential part of the site (:meth:`SiteProfile.for_model`),
            so whatever needs more comes from the City given here.
        origin
            Start of the first forecast interval; by default the interval
            after the last observation.
        horizon
            Number of intervals, or a duration (``"24h"``: 48 intervals of
            30-minute counts); the fitted ``horizon`` by default, and never
            more (a direct model has not learned beyond it).
        events, weather
            The known-future calendar and weather (forecasts issued at or
            before the origin are used); the training ones when omitted.
        stale_after
            The longest allowed time from the last count to the origin; by
            default how far back the model reads counts (14 days for the
            global model). An origin further away is an error, since the
            forecast would rest on missing history...
        allow_stale
            ... unless this is True.

        Raises
        ------
        ParameterError
            Counts for a zone the model was not fitted on; a horizon of 0 or
            beyond the fitted one; a stale origin.
        """
        self._check_fitted()
        inputs = self._inputs(data, events, weather)
        history = inputs.history()
        after = history.last_observed() + self.freq_
        start = after if origin is None else as_utc(origin, "origin")
        steps = self._steps(horizon)
        if not allow_stale:
            self._check_fresh(start, after, stale_after)
        rows = make_rows(self.zones_, [start], np.arange(1, steps + 1), self.freq_)
        return self.predict_rows(rows, inputs, history=history)

    def _steps(self, horizon: StepsLike | None) -> int:
        """The forecast's intervals: the fitted horizon, or as asked when not beyond it."""
        fitted = self._fitted_horizon()
        if horizon is None:
            return fitted
        steps = interval_steps(horizon, self.freq_)
        if steps > fitted:
            raise ParameterError(
                [
                    Problem(
                        "`horizon`",
                        f"at most the {fitted} intervals ({interval_text(self.freq_ * fitted)}) "
                        "the model was fitted for",
                        f"{horizon!r} ({steps} intervals)",
                        hint=f"refit with {type(self).__name__}(horizon={steps}) "
                        f"or horizon='{interval_text(self.freq_ * steps)}'",
                    )
                ]
            )
        return steps

    def _check_fresh(
        self, origin: pd.Timestamp, after: pd.Timestamp, stale_after: str | pd.Timedelta | None
    ) -> None:
        """Refuse an origin so long after the last count that the look-back is empty."""
        limit = self._lookback() if stale_after is None else pd.Timedelta(stale_after)
        if origin - after > limit:
            raise ParameterError(
                [
                    Problem(
                        "`origin`",
                        f"at most {interval_text(limit)} after the last count "
                        f"(the model reads counts {interval_text(self._lookback())} back)",
                        f"{origin} is {interval_text(origin - after)} after it ({after})",
                        hint="pass counts up to the origin (data=...), or "
                        "allow_stale=True to forecast from the calendar and profile alone",
                    )
                ]
            )

    def predict_rows(
        self, rows: pd.DataFrame, data: City, *, history: History | None = None
    ) -> pd.DataFrame:
        """Forecast arbitrary ``(zone, origin, horizon, timestamp)`` rows."""
        self._check_fitted()
        hist = history if history is not None else data.history()
        values = np.asarray(self._predict(rows, data.with_grid(hist), hist), dtype=float)
        values = np.sort(np.clip(values, 0.0, None), axis=1)  # never negative, never crossing
        out = rows[["zone", "origin", "timestamp", "horizon"]].reset_index(drop=True)
        for j, col in enumerate(self.quantile_columns):
            out[col] = values[:, j]
        out.attrs["provenance"] = self.provenance_.to_dict()
        return out

    def _predict(self, rows: pd.DataFrame, data: City, history: History) -> np.ndarray:
        raise NotImplementedError


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return repr(value)
