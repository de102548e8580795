"""save_model/load_model: provenance in a readable header, checksum verified on load."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from _forecasters import LastValue
from crowdcast.exceptions import CrowdcastError, CrowdcastWarning, NotFittedError, ParseError
from crowdcast.models._persist import load_model, read_model_header, save_model


@pytest.fixture
def counts() -> pd.DataFrame:
    ts = pd.date_range("2024-01-01", periods=48, freq="h", tz="UTC")
    return pd.DataFrame({"zone": "a", "timestamp": ts, "count": range(48)}).astype({"count": float})


def test_save_and_load_round_trip_gives_the_same_forecast(tmp_path: Path, counts) -> None:  # type: ignore[no-untyped-def]
    model = LastValue(horizon=3).fit(counts)
    path = save_model(model, tmp_path / "m.ccm")
    loaded = load_model(path)
    pd.testing.assert_frame_equal(loaded.predict(), model.predict())
    assert loaded.provenance_ == model.provenance_


def test_header_carries_provenance_without_unpickling(tmp_path: Path, counts) -> None:  # type: ignore[no-untyped-def]
    path = save_model(LastValue(horizon=3).fit(counts), tmp_path / "m.ccm")
    header = read_model_header(path)
    assert header["model"] == "LastValue"
    prov = header["provenance"]
    assert prov["training_start"] == "2024-01-01 00:00:00+00:00"
    assert prov["training_end"] == "2024-01-03 00:00:00+00:00"
    assert prov["zones"] == ["a"]
    assert len(prov["data_fingerprints"]["counts"]) == 16
    assert prov["params"] == {"horizon": 3, "quantiles": [0.1, 0.5, 0.9]}


def test_a_tampered_model_is_refused(tmp_path: Path, counts) -> None:  # type: ignore[no-untyped-def]
    path = save_model(LastValue().fit(counts), tmp_path / "m.ccm")
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ParseError) as info:
        load_model(path)
    assert "the model payload's SHA-256 must be" in str(info.value)
    assert "(the file was changed after saving)" in str(info.value)


def test_a_truncated_model_is_refused(tmp_path: Path, counts) -> None:  # type: ignore[no-untyped-def]
    path = save_model(LastValue().fit(counts), tmp_path / "m.ccm")
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ParseError, match=r"Got \d+ bytes \(truncated or appended to\)"):
        load_model(path)


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.ccm"
    path.write_bytes(b"\x80\x04 pickle bytes")
    with pytest.raises(ParseError, match="must be a crowdcast model"):
        load_model(path)
    path.write_bytes(b"CROWDCAST-MODEL 1\n{not json\n")
    with pytest.raises(ParseError, match="the model header must be one line of JSON"):
        load_model(path)


def test_save_refuses_to_overwrite_and_unfitted_models(tmp_path: Path, counts) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFittedError, match="only a fitted model can be saved"):
        save_model(LastValue(), tmp_path / "m.ccm")
    (tmp_path / "m.ccm").write_text("mine")
    with pytest.raises(CrowdcastError, match="must be a file that does not exist yet"):
        save_model(LastValue().fit(counts), tmp_path / "m.ccm")
    assert (tmp_path / "m.ccm").read_text() == "mine"
    save_model(LastValue().fit(counts), tmp_path / "m.ccm", overwrite=True)
    assert load_model(tmp_path / "m.ccm").horizon == 24


def test_a_model_saved_by_another_version_loads_with_a_warning(tmp_path: Path, counts) -> None:  # type: ignore[no-untyped-def]
    import hashlib
    import json

    path = save_model(LastValue().fit(counts), tmp_path / "m.ccm")
    magic, head, payload = path.read_bytes().split(b"\n", 2)
    header = json.loads(head)
    header["crowdcast_version"] = "0.0.1"
    assert header["payload_sha256"] == hashlib.sha256(payload).hexdigest()
    path.write_bytes(magic + b"\n" + json.dumps(header).encode() + b"\n" + payload)
    with pytest.warns(CrowdcastWarning, match="saved by crowdcast 0.0.1 and is loaded by"):
        assert load_model(path).horizon == 24
