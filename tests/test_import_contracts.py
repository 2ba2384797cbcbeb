"""The import contracts in pyproject.toml hold: the layers of docs/architecture.md, one-way modules.

`make lint` runs the same check (`lint-imports`); here it fails the test suite too, with
the chain of imports that breaks a contract.
"""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_every_import_contract_is_kept(capsys):
    exit_code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert exit_code == 0, capsys.readouterr().out
