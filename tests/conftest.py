"""Fixtures shared by every part's tests: runs and run steps in every status, valid event details."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.builders import DETAILS, make_run, make_step


@pytest.fixture
def run_in() -> Callable[[str], dict[str, Any]]:
    """A run in the given status, made by the engine along a shortest walk of the table."""
    return make_run


@pytest.fixture
def step_in() -> Callable[[str], dict[str, Any]]:
    """A run step in the given status."""
    return make_step


@pytest.fixture
def event_details() -> dict[str, dict[str, Any]]:
    """Valid details for each event that takes some (a fresh copy per test)."""
    return copy.deepcopy(DETAILS)
