"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The sample city's last football match planned 44 h ahead (``_plan_helpers.Planned``)."""
    from _plan_helpers import make_planned

    return make_planned(tmp_path_factory.mktemp("plan"))
