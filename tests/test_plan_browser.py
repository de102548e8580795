"""The planner's report in a real browser: headless Chromium renders, dumps and prints it.

Needs the Debian package ``chromium`` (``.ci/run`` installs it when apt-get
can); without it these tests are skipped, saying so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found: install the Debian package `chromium` "
    "(.ci/run does when apt-get is available)",
)


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium on its own profile folder; its stdout."""
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_report_renders_at_1280_px_and_is_not_blank(planned: Any, tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2600", planned.run.path.as_uri())
    image = np.asarray(Image.open(png).convert("RGB"), dtype=float) / 255
    assert image.shape[:2] == (2600, 1280)
    ink = image.mean(axis=2) < 0.9
    assert 0.03 < ink.mean() < 0.5  # text, tables and figures, not an empty or black page
    colours = np.unique((image * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200  # the level colours, the heatmap, anti-aliased text
    assert not ink[:, -24:].any()  # nothing cut at the right edge: it fits 1280 px


def test_the_alert_rows_and_figures_are_in_the_dom(planned: Any, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", planned.run.path.as_uri())
    rows = re.findall(r'<tr class="alert" data-zone="([^"]+)" data-level="([^"]+)">', dom)
    alerts = planned.run.report.risk.alerts
    assert len(rows) == len(alerts) >= 1
    assert sorted(rows) == sorted(zip(alerts["zone"], alerts["level"], strict=True))
    assert dom.count("<svg") == len(planned.run.report.zones)
    assert dom.count('<tr class="hour"') == len(planned.run.table)


def test_the_report_prints_on_a4(planned: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", planned.run.path.as_uri())
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= 2
    for width, height in boxes:  # A4 is 595 x 842 points
        assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1
