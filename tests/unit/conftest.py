"""The unit tier's fixture: a fresh in-memory case store with the small world of world.py."""

import pytest
from world import new_store


@pytest.fixture
def store(tmp_path):
    return new_store(tmp_path)
