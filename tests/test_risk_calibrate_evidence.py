"""What a calibrated weight shows, when it may be written, and intervals that survive clustering."""

from __future__ import annotations

import dataclasses
import sys
import warnings
from pathlib import Path

import pytest

from crowdcast.exceptions import DataQualityWarning, ParameterError
from crowdcast.risk import Calibration, calibrate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_calibration as bc  # the simulated clustered cities of the benchmark


def quiet_calibration(seed: int, **kwargs: float) -> Calibration:
    incidents, signals = bc.simulate(seed, **kwargs)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return calibrate(incidents, signals, bc.SITE, bc.LIBRARY, zone="street")


@pytest.fixture(scope="module")
def no_effect() -> Calibration:
    """A city where litres do not matter (true weight 0): the interval spans zero."""
    cal = quiet_calibration(2, weeks=26, weight=0.0, shape=100.0)
    assert cal.weight < 0 < cal.ci_high  # an estimate of -0.4: "raises by -0.4 %" before
    return cal


# ----------------------------------------------------------------------------- evidence


def test_an_interval_that_spans_zero_is_reported_as_no_evidence(no_effect: Calibration) -> None:
    assert no_effect.evidence == "none"
    text = no_effect.describe()
    assert text.startswith(
        "No evidence that litres sold change aggression risk here; the 95 % interval "
    )
    assert "includes no change" in text and "cannot be told from no effect" in text
    assert "raises" not in text and "lowers" not in text
    assert no_effect.summary()["evidence"].item() == "none"
    assert "evidence none" in repr(no_effect)


def test_a_weight_without_evidence_is_refused_with_a_hint(no_effect: Calibration) -> None:
    with pytest.raises(ParameterError) as info:
        no_effect.to_weight()
    text = str(info.value)
    assert text.startswith(
        "No weight to write: 1 problem.\n- the calibrated weight of 'alcohol_aggression' "
        "(zone:street) must be an estimate whose 95 % interval lies above 0. Got -0.42 ["
    )
    assert "hint: the interval includes 0: no evidence of an effect here. Keep the site's" in text
    assert "source='expert'" in text


def test_a_negative_estimate_says_it_lowers_the_risk_and_is_never_written(
    no_effect: Calibration,
) -> None:
    lowers = dataclasses.replace(no_effect, weight=-1.2, ci_low=-2.0, ci_high=-0.4)
    assert lowers.evidence == "lowers"
    assert lowers.describe().startswith(
        "Each litre sold lowers aggression risk by 1.2 % here, against the generic 1 % per L"
    )
    with pytest.raises(ParameterError, match="a weight is never negative"):
        lowers.to_weight()


# ----------------------------------------------------------------------------- clustering


def test_the_interval_covers_the_true_weight_when_incidents_cluster_by_night() -> None:
    # 40 simulated cities of 13 weeks, several incidents on a bad night (benchmark: 400)
    new = bc.coverage(range(40), "night", weeks=13, shape=1.0)
    old = bc.coverage(range(40), "poisson", weeks=13, shape=1.0)
    assert 0.90 <= new.coverage <= 0.97, new
    assert old.coverage <= 0.80, old  # the Poisson interval is too narrow
    assert new.night_dispersion > 1.5 and old.night_dispersion == new.night_dispersion
    assert new.half_width_se > 1.3 * old.half_width_se


def test_clustering_by_night_is_reported_and_warned_about() -> None:
    incidents, signals = bc.simulate(1, weeks=26, shape=1.0)
    args = (incidents, signals, bc.SITE, bc.LIBRARY)
    with pytest.warns(DataQualityWarning, match="this Poisson interval is too narrow"):
        plain = calibrate(*args, zone="street", method="poisson")
    assert plain.night_dispersion > 1.5 and plain.variance_inflation == 1.0
    assert "Incidents cluster by night: this Poisson interval is too narrow" in plain.describe()
    with pytest.warns(DataQualityWarning, match=r"cluster by night .* the interval allows for it"):
        clustered = calibrate(*args, zone="street")
    assert clustered.variance_inflation > 1.5
    assert clustered.summary()["night_dispersion"].item() == clustered.night_dispersion
    assert "nights, not hours, carry the evidence" in clustered.describe()


def test_independent_hours_raise_no_warning() -> None:
    incidents, signals = bc.simulate(1, weeks=26, shape=100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cal = calibrate(incidents, signals, bc.SITE, bc.LIBRARY, zone="street")
    assert 0.8 < cal.night_dispersion < 1.2 and not cal.clustered


def test_few_nights_are_warned_about_and_an_unknown_method_is_refused() -> None:
    incidents, signals = bc.simulate(3, weeks=3, shape=100.0, base=0.3)
    with pytest.warns(DataQualityWarning, match="fall in 22 nights only"):
        calibrate(incidents, signals, bc.SITE, bc.LIBRARY, zone="street")
    with pytest.raises(ParameterError, match="`method` must be one of night, poisson"):
        calibrate(incidents, signals, bc.SITE, bc.LIBRARY, zone="street", method="nb")


def test_a_clustered_fit_that_does_not_converge_is_warned_about(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from statsmodels.genmod.generalized_estimating_equations import GEE
    from statsmodels.tools.sm_exceptions import IterationLimitWarning

    fit = GEE.fit

    def struggling(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        warnings.warn("Iteration limit reached", IterationLimitWarning, stacklevel=2)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(GEE, "fit", struggling)
    incidents, signals = bc.simulate(1, weeks=13, shape=100.0)
    with pytest.warns(DataQualityWarning, match=r"did not converge \(Iteration limit reached\)"):
        calibrate(incidents, signals, bc.SITE, bc.LIBRARY, zone="street")
