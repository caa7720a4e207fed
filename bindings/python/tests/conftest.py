"""Fixtures for the Python bindings suite: a fresh store per test in a temp dir.

The generated module `fieldsales_ffi` and the library beside it come from `cargo xtask test`
(PYTHONPATH=target/bindings/python).
"""

import pytest

from fieldsales_ffi import FieldSales, FieldSalesConfig


@pytest.fixture
def open_store(tmp_path):
    def open_(user="rep-1", device="device"):
        return FieldSales.open(str(tmp_path / device), FieldSalesConfig(user_id=user, team_id="north"))

    # Objects free their native side when Python drops them (there is no close()).
    return open_


@pytest.fixture
def store(open_store):
    return open_store()
