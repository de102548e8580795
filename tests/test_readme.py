"""The README's marked Python blocks run as written (in a temporary folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"<!-- tested[^>]*-->\n```python\n(.*?)```", text, flags=re.S)


def test_readme_has_tested_blocks() -> None:
    assert len(_blocks()) >= 2


def test_readme_blocks_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in _blocks():
        exec(compile(block, str(README), "exec"), namespace)
    assert (tmp_path / "havenstad.ccm").is_file()
