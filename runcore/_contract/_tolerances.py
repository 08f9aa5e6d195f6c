"""Every tolerance of the ``observed`` profile beyond its schemas, each with its evidence.

The schema files hold the shape tolerances (``$defs/observed`` of each response kind); this module holds
the rest: those of one object's lifecycle, and those only a request with its answer, or a stream,
shows. Evidence, and the whole list with the schemas' ones: decisions.md#what-observed-tolerates.
"""

from __future__ import annotations

from runcore._findings import Finding, Severity
from runcore._kinds import Profile

# -- one object ----------------------------------------------------------------------------------

# (object, field, status): a field the hosted API left non-null where the status table forbids it.
# Warnings under "observed", errors under "spec".
OBSERVED_QUIRKS = frozenset(
    {
        # API v1, 2023-11: ruby-openai runs_list 18b7a84.
        ("thread.run", "completed_at", "expired"),
        # 2024-04, before the `incomplete` status existed: ruby-openai runs_streamed_create c15b9d3.
        ("thread.run", "incomplete_details", "completed"),
    }
)

# (object, field): a field a status needs that the hosted API left out entirely. API v1 runs and
# steps (2023-11, before usage existed) have no `usage` key; no recorded step has an `expired_at` key.
OBSERVED_ABSENT = frozenset(
    {
        ("thread.run", "usage"),
        ("thread.run.step", "usage"),
        ("thread.run.step", "expired_at"),
    }
)


def tolerates_set(profile: str, tag: str, field: str, status: str) -> bool:
    """Whether ``profile`` lets ``field`` be set in ``status`` although the table forbids it."""
    return profile == "observed" and (tag, field, status) in OBSERVED_QUIRKS


def tolerates_absent(profile: str, tag: str, field: str) -> bool:
    """Whether ``profile`` lets ``field`` be absent although the object's status needs it."""
    return profile == "observed" and (tag, field) in OBSERVED_ABSENT


# -- whole recordings (decisions.md#what-observed-tolerates-in-whole-recordings) -----------------

# (code, pointer into the request body): a request the contract refuses that the hosted API
# accepted. ruby-openai runs_streamed_create.yml, 2024-04-27 and 2024-04-29: max_prompt_tokens 256
# and max_completion_tokens 16 answered 200 with a stream (documented minimum: 256).
ACCEPTED_REQUESTS = frozenset(
    {
        ("below_minimum", "/max_completion_tokens"),
        ("below_minimum", "/max_prompt_tokens"),
    }
)

# (event, status): an event named otherwise than the status of the run it carries. ruby-openai
# runs_streamed_create.yml, 2024-04-29 (8abdddb): an `incomplete` run as `thread.run.completed`,
# before `thread.run.incomplete` existed (S@4605929, 2024-05-28).
MISNAMED_EVENTS = frozenset({("thread.run.completed", "incomplete")})


def accepted_request_severity(finding: Finding, profile: Profile) -> Severity:
    """How bad it is that a server accepted a request with this finding."""
    quirk = profile == "observed" and (finding.code, finding.pointer) in ACCEPTED_REQUESTS
    return "warning" if quirk or finding.severity == "warning" else "error"


def misnamed_event_severity(event: str, status: object, profile: Profile) -> Severity:
    """How bad an event named otherwise than its run's status is."""
    quirk = profile == "observed" and isinstance(status, str) and (event, status) in MISNAMED_EVENTS
    return "warning" if quirk else "error"
