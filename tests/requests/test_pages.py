"""List pages: the empty page the hosted API sent, and page() over sorted items with its cursors."""

from __future__ import annotations

import json
import re

import pytest

from runcore import PROFILES, validate
from tests.builders import make_run
from tests.recorded import RECORDINGS

EMPTY = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", ["run_list", "run_step_list"])
def test_an_empty_page_with_null_cursors_is_valid(kind: str, profile: str) -> None:
    assert validate(EMPTY, kind, profile=profile) == []


def test_the_empty_page_recorded_from_the_hosted_api_is_valid() -> None:
    cassette = RECORDINGS / "cassettes" / "ruby-vcr" / "run_steps_list.yml"
    if not cassette.is_file():
        pytest.skip("../shared/recordings is not here")
    text = cassette.read_text(encoding="utf-8")
    bodies = re.findall(r"\n        (\{\n(?:          .*\n)*        \})", text)
    empty = [json.loads(body) for body in bodies if '"data": []' in body]
    assert empty == [EMPTY, EMPTY]
    for profile in PROFILES:
        assert validate(empty[0], "run_step_list", profile=profile) == []


def test_cursors_are_null_exactly_when_the_page_is_empty() -> None:
    run = make_run("completed")
    full = {"object": "list", "data": [run], "first_id": None, "last_id": None, "has_more": False}
    assert [(f.pointer, f.code) for f in validate(full, profile="spec")] == [
        ("/first_id", "wrong_type"),
        ("/last_id", "wrong_type"),
    ]
    named = dict(EMPTY, first_id="run_1", last_id="run_1")
    assert [(f.pointer, f.code) for f in validate(named)] == [
        ("/first_id", "wrong_type"),
        ("/last_id", "wrong_type"),
    ]
