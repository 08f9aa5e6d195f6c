"""What the hosted API did across a whole recording that the docs forbid: warnings under ``observed``,
errors under ``spec``, each with its evidence (decisions.md#what-observed-tolerates-in-whole-recordings).

The tolerances of one object are in ``runcore._contract._tolerances``; these are the ones only a
request with its answer, or a stream, shows.
"""

from __future__ import annotations

from runcore._findings import Finding, Severity
from runcore._kinds import Profile

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
