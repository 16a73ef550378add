"""`coop bank import` from the command line: a statement imported once, the same file again
changes nothing, a malformed file fails with its line and imports nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from indexer.db import make_engine
from node.bank import tables
from node.cli import main
from tests.bank.statements import Payment, one_c


def test_import_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
    good = tmp_path / "kl_to_1c.txt"
    good.write_bytes(one_c([Payment("1", 1_100_00, "КП-3-ВЗН"), Payment("2", 50_00, "КП-3-ПАЙ")]))
    bad = tmp_path / "broken.txt"
    bad.write_bytes(
        good.read_bytes().replace(b"\xd1\xf3\xec\xec\xe0=50.00", b"\xd1\xf3\xec\xec\xe0=50,00")
    )
    assert bad.read_bytes() != good.read_bytes()
    runner = CliRunner()

    first = runner.invoke(main, ["bank", "import", str(good)])
    assert first.exit_code == 0, first.output
    assert "строк 2, новых 2" in first.output
    again = runner.invoke(main, ["bank", "import", str(good)])
    assert again.exit_code == 0 and "уже импортирован" in again.output
    broken = runner.invoke(main, ["bank", "import", str(bad)])
    assert broken.exit_code == 1
    assert "строка" in broken.output and "1100,00" not in broken.output
    with make_engine(url).connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(tables.line)).scalar_one()
    assert count == 2
