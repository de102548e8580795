"""Incident hit rates of risk scores."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import crowdcast as cc
from crowdcast.evaluation import hit_rate
from crowdcast.exceptions import DataError, ParameterError
from crowdcast.risk import assess


@pytest.fixture(scope="module")
def site() -> cc.SiteProfile:
    return cc.load_site_profile(cc.sample_path() / "site.toml")


NAN = float("nan")
DAY1 = pd.Timestamp("2024-12-14 15:00", tz="UTC")  # 16:00 in Amsterdam
HOURS = pd.date_range("2024-06-07 18:00", periods=5, freq="h", tz="UTC")


def scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone": ["a"] * 5 + ["b"] * 5,
            "timestamp": list(HOURS) * 2,
            "lift": [5.0, 4.0, 4.0, 4.0, 1.0, 2.0, 1.0, 1.0, 0.0, 0.0],
        }
    )


def incidents(rows: list[tuple[str, int, int]], kind: str = "aggression") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": [HOURS[0] + pd.Timedelta(hours=h) for _, h, _ in rows],
            "zone": [z for z, _, _ in rows],
            "kind": kind,
            "count": [c for _, _, c in rows],
        }
    )


def test_hit_rate_ranks_rows_and_shares_the_places_of_tied_rows() -> None:
    # top 30 % of 10 rows = 3 places: a@0 (5.0) takes one; a@1..3 tie at 4.0 for the other two,
    # 2/3 of a place each. Incidents: 2 at a@0, 3 at a@1, 1 at a@4, 4 at b@0 (10 in all).
    inc = incidents([("a", 0, 2), ("a", 1, 3), ("a", 4, 1), ("b", 0, 4)])
    r = hit_rate(scores(), inc, top=0.3)
    assert r.hit_rate == pytest.approx((2 + 3 * 2 / 3) / 10)  # 0.4
    # breaking the tie by row order (a@1, a@2 top) or taking every tied row gives 0.5
    assert r.base_rate == pytest.approx(0.3) and r.n_top == pytest.approx(3.0)
    assert r.lift == pytest.approx(0.4 / 0.3)
    assert (r.n_incidents, r.n_matched, r.n_unmatched, r.n_rows) == (10, 10, 0, 10)
    assert r.score == "lift"
    assert r.rows["rank"].tolist() == [1, 2, 2, 2, 6, 5, 6, 6, 9, 9]  # ties share the best rank
    assert r.rows["top"].tolist() == pytest.approx([1, 2 / 3, 2 / 3, 2 / 3, 0, 0, 0, 0, 0, 0])
    assert r.rows["incidents"].tolist() == [2, 3, 0, 0, 1, 4, 0, 0, 0, 0]
    # the order of the rows does not matter
    shuffled = scores().sample(frac=1.0, random_state=3)
    assert hit_rate(shuffled, inc, top=0.3).hit_rate == pytest.approx(0.4)
    # a whole number of places above the tie: no sharing
    assert hit_rate(scores(), inc, top=0.1).hit_rate == pytest.approx(0.2)
    assert hit_rate(scores(), inc, top=1.0).hit_rate == pytest.approx(1.0)


def test_incidents_outside_ranked_rows_are_counted_not_dropped() -> None:
    s = scores()
    s.loc[4, "lift"] = NAN  # a@4 not scored
    s = s.drop(index=9)  # b@4 absent
    inc = incidents([("a", 0, 2), ("a", 4, 1), ("b", 4, 5), ("c", 0, 7), ("a", 9, 1)])
    r = hit_rate(s, inc, top=0.3)
    assert (r.n_incidents, r.n_matched, r.n_unmatched, r.n_rows) == (16, 2, 14, 8)
    assert r.hit_rate == 1.0  # both matched incidents are in the top row a@0
    assert r.base_rate == pytest.approx(0.3)
    assert sorted(r.unmatched["count"].tolist()) == [1, 1, 5, 7]
    assert set(r.unmatched["zone"]) == {"a", "b", "c"}
    assert "unmatched=14" in repr(r)


def test_an_incident_counts_in_the_interval_containing_it() -> None:
    s = scores().drop(index=2)  # no row for a@2
    inc = pd.DataFrame(
        {
            "timestamp": [HOURS[0] + pd.Timedelta(minutes=m) for m in (30, 59, 60, 150)],
            "zone": "a",
            "kind": "aggression",
            "count": [1, 1, 1, 1],
        }
    )
    r = hit_rate(s, inc, top=0.5)
    # 18:30 and 18:59 → a@0; 19:00 → a@1; 20:30 (a@2 missing) is not moved to an earlier row
    assert r.rows[r.rows["zone"] == "a"]["incidents"].tolist() == [2, 1, 0, 0]  # a@0, 1, 3, 4
    assert r.n_unmatched == 1 and r.unmatched["timestamp"].tolist() == [
        HOURS[2] + pd.Timedelta("30min")
    ]


def test_hit_rate_filters_kinds_and_checks_its_inputs() -> None:
    inc = pd.concat(
        [incidents([("a", 0, 2), ("b", 0, 4)]), incidents([("b", 0, 9)], kind="theft")],
        ignore_index=True,
    )
    assert hit_rate(scores(), inc, top=0.1, kind="aggression").hit_rate == pytest.approx(2 / 6)
    assert hit_rate(scores(), inc, top=0.1).n_incidents == 15
    with pytest.raises(
        ParameterError, match=r"`kind` must be incident kinds of the table \(aggression, theft\)"
    ):
        hit_rate(scores(), inc, kind="vandalism")
    with pytest.raises(ParameterError, match=r"`top` must be a share in \(0, 1\]"):
        hit_rate(scores(), inc, top=5)
    with pytest.raises(ParameterError, match="`score` must be a numeric column of the risk table"):
        hit_rate(scores(), inc, score="danger")
    with pytest.raises(ParameterError, match="one row per zone and interval"):
        hit_rate(pd.concat([scores(), scores()]), inc)
    with pytest.raises(DataError, match="`count` must be >= 0"):
        hit_rate(scores(), inc.assign(count=-1))


@pytest.mark.parametrize("top", ["5%", True, None, float("nan"), 0])
def test_hit_rate_top_that_is_not_a_share_is_a_parameter_error(top: object) -> None:
    # "5%" and None used to escape as a bare TypeError, and True passed as 1 (every row top)
    inc = incidents([("a", 0, 2)])
    with pytest.raises(ParameterError, match=r"`top` must be a share in \(0, 1\]. Got "):
        hit_rate(scores(), inc, top=top)  # type: ignore[arg-type]


def test_hit_rate_of_the_sample_aggression_lift_matches_a_brute_force_reference() -> None:
    city = cc.load_sample()
    hours = pd.date_range("2024-06-01", periods=24 * 14, freq="h", tz="UTC")
    signals = city.signals[city.signals["timestamp"].between(hours[0], hours[-1])]
    lift = cc.indicator_lift(signals, city.site, city.library, timestamps=hours)
    inc = city.incidents[city.incidents["timestamp"].between(hours[0], hours[-1])]
    r = hit_rate(lift, inc, top=0.05)

    # reference: each row's expected share of the top K places under random tie-breaking
    s = lift["lift"].to_numpy()
    k = 0.05 * len(s)
    higher = (s[None, :] > s[:, None]).sum(axis=1)
    equal = (s[None, :] == s[:, None]).sum(axis=1)
    weight = np.clip((k - higher) / equal, 0.0, 1.0)
    keyed = lift.assign(w=weight).set_index(["zone", "timestamp"])["w"]
    per_incident = keyed.reindex(pd.MultiIndex.from_frame(inc[["zone", "timestamp"]])).to_numpy()
    expected = float((per_incident * inc["count"].to_numpy()).sum() / inc["count"].sum())
    assert r.n_unmatched == 0 and r.n_matched == int(inc["count"].sum()) > 0
    assert r.hit_rate == pytest.approx(expected)
    assert r.lift == pytest.approx(expected / 0.05)
    assert r.lift > 3  # alcohol sales point at the aggression hot spots of the sample


def test_hit_rate_scores_a_risk_table_by_the_alert_probability(site: cc.SiteProfile) -> None:
    t = DAY1
    fc = pd.DataFrame(
        {
            "zone": "stadium_plaza",
            "origin": t,
            "timestamp": [t + pd.Timedelta(hours=h) for h in range(3)],
            "horizon": [1, 2, 3],
            "q0.1": 1000.0,
            "q0.5": [2000.0, 30000.0, 2000.0],
            "q0.9": 40000.0,
        }
    )
    risk = assess(fc, site)
    inc = pd.DataFrame(
        {
            "timestamp": [t + pd.Timedelta(hours=1)],
            "zone": "stadium_plaza",
            "kind": "crush",
            "count": [1],
        }
    )
    r = hit_rate(risk, inc, top=1 / 3)
    assert r.score == "p_alert"
    assert r.rows["score"].tolist() == pytest.approx(risk.table["p_orange"].tolist())
    assert r.hit_rate == 1.0 and r.lift == pytest.approx(3.0)
    assert hit_rate(risk, inc, top=1 / 3, score="p_red").score == "p_red"
    twice = assess(
        pd.concat([fc, fc.assign(origin=t - pd.Timedelta("1h"), horizon=[2, 3, 4])]), site
    )
    with pytest.raises(ParameterError, match="keep one horizon"):
        hit_rate(twice, inc)
    one = dataclasses.replace(twice, table=twice.table[twice.table["horizon"] == 2])
    assert hit_rate(one, inc, top=1 / 3).n_rows == 2  # 16:00 from 15:00, 15:00 from 14:00
