"""The recordings of the hosted API: `observed` accepts every real object; `spec` and defects are caught."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from runcore import validate
from tests.recorded import REAL_FILES, UNVERIFIED_FILES, needs_recordings, runs_objects


@needs_recordings
@pytest.mark.parametrize("path", REAL_FILES, ids=[path.name for path in REAL_FILES])
def test_every_real_object_passes_the_observed_profile(path: Path) -> None:
    objects = list(runs_objects(path))
    assert objects, "each recording holds at least one object of the runs contract"
    for line, body in objects:
        errors = [str(f) for f in validate(body) if f.severity == "error"]
        assert errors == [], f"line {line}"


@needs_recordings
def test_the_spec_profile_reports_where_the_real_api_differed_from_the_docs() -> None:
    found = Counter(
        (f.code, f.pointer.rsplit("/", 1)[-1])
        for path in REAL_FILES
        for _, body in runs_objects(path)
        for f in validate(body, profile="spec", invariants=False)
    )
    for expected in [
        ("wrong_type", "instructions"),
        ("missing_field", "parallel_tool_calls"),
        ("missing_field", "expired_at"),
        ("below_minimum", "max_completion_tokens"),
        ("invalid_value", "type"),
    ]:
        assert found[expected] > 0, expected


# Objects in unverified/ (hand-editable test fixtures) that break a rule every real object keeps.
UNVERIFIED_DEFECTS = {
    # Every real file_search ranker is "default_2024_08_21", as the spec's FileSearchRanker enum says.
    ("simple-openai__threads_runssteps_delta__a391843.sse", "invalid_value", "ranker"),
    # FunctionToolCall.output is required (null until submitted); no real tool call omits a required key.
    ("simple-openai__threads_runssteps_getlist.jsonl", "missing_field", "output"),
    # A `completed` run with cancelled_at and no completed_at: every real completed run has completed_at.
    ("simple-openai__threads_runs_cancel.jsonl", "completed_at_missing", "completed_at"),
    ("simple-openai__threads_runs_cancel.jsonl", "cancelled_at_unexpected", "cancelled_at"),
}


@needs_recordings
def test_unverified_fixtures_are_reported_only_where_they_break_a_rule_real_objects_keep() -> None:
    found = {
        (path.name, f.code, f.pointer.rsplit("/", 1)[-1])
        for path in UNVERIFIED_FILES
        for _, body in runs_objects(path)
        for f in validate(body)
        if f.severity == "error"
    }
    assert found == UNVERIFIED_DEFECTS


def test_every_finding_names_a_catalogued_code_and_its_category() -> None:
    from runcore import CODES
    from runcore._check._corpus import Summary, checked
    from runcore._check._paths import inputs

    examples = Path(__file__).resolve().parents[2] / "examples"
    paths = [str(path) for path in (*REAL_FILES, *UNVERIFIED_FILES, examples)]
    for profile in ("observed", "spec"):
        files = checked(inputs(paths), kind=None, profile=profile, strict=True, summary=Summary())
        findings = [finding for _, cases in files for case in cases for finding in case.findings]
        assert findings
        assert {(f.code, f.category) for f in findings} <= {
            (code, category) for code, (category, _) in CODES.items()
        }
