"""The public surface is derived from the modules themselves: adding a name is a decision.

As httpx's ``test_exported_members.py``: every public name a package's
namespace holds must be in its sorted ``__all__``, and nothing else, so an
import added to an ``__init__.py`` without a decision fails here.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import typing
from types import ModuleType

import pytest

import crowdcast as cc

#: Every public package, and the modules of the top level that are public.
PACKAGES = (
    "crowdcast",
    "crowdcast.evaluation",
    "crowdcast.features",
    "crowdcast.io",
    "crowdcast.models",
    "crowdcast.privacy",
    "crowdcast.profiles",
    "crowdcast.report",
    "crowdcast.risk",
    "crowdcast.sample",
    "crowdcast.schemas",
)
MODULES = (
    "crowdcast.exceptions",
    "crowdcast.jobs",
    "crowdcast.models.checks",
    "crowdcast.scenarios",
)
#: Modules deliberately exported by the top level.
EXPORTED_MODULES = {"crowdcast": {"exceptions"}}


def _public_names(module: ModuleType) -> list[str]:
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") and name != "__version__":
            continue
        if isinstance(value, ModuleType) and name not in EXPORTED_MODULES.get(
            module.__name__, set()
        ):
            continue  # subpackages and stdlib modules are not exports
        if getattr(value, "__module__", None) == "typing" or value is typing.Any:
            continue
        if name in ("annotations",):  # from __future__ import annotations
            continue
        names.append(name)
    return names


@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_exports_every_public_name_it_holds(name: str) -> None:
    """``__init__.py`` only gathers names: each one it holds is a decision in ``__all__``.

    (``__all__`` is kept sorted by ruff's RUF022.)
    """
    module = importlib.import_module(name)
    assert len(set(module.__all__)) == len(module.__all__)
    assert sorted(_public_names(module)) == sorted(module.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_a_module_exports_the_public_classes_and_functions_it_defines(name: str) -> None:
    module = importlib.import_module(name)
    defined = {
        n
        for n in _public_names(module)
        if callable(vars(module)[n]) and getattr(vars(module)[n], "__module__", "") == name
    }
    assert defined <= set(module.__all__)
    assert all(hasattr(module, n) for n in module.__all__)


def test_the_top_level_holds_what_a_notebook_user_types() -> None:
    assert len(cc.__all__) <= 40
    for name in ("City", "GBMForecaster", "load_sample", "what_if", "assess", "backtest"):
        assert name in cc.__all__
    for name in ("validate_counts", "guard_ingress", "AlertKPIs", "RiskTable", "kpis"):
        assert name not in cc.__all__  # in their subpackages


def test_private_modules_are_named_with_an_underscore() -> None:
    import pkgutil

    public_modules = set(PACKAGES) | set(MODULES) | {"crowdcast.cli"}
    for info in pkgutil.walk_packages(cc.__path__, "crowdcast."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not leaf.startswith("_"):
            assert info.name in public_modules, f"{info.name} is public but not listed"


def test_import_has_no_global_side_effects() -> None:
    code = (
        "import logging, warnings; "
        # third-party imports may set their own filters; crowdcast must add none
        "import numpy, pandas, sklearn, holidays, icalendar, recurring_ical_events, tomli_w; "
        "filters = list(warnings.filters); "
        "import crowdcast; "
        "assert warnings.filters == filters, 'warning filters changed'; "
        "assert logging.getLogger().handlers == [], 'logging configured'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
