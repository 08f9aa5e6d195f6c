"""Every tolerance of the ``observed`` profile beyond its schemas, each with its evidence.

The schema files hold the shape tolerances (``$defs/observed`` of each response kind); this module holds
the lifecycle ones. Evidence and the whole list: decisions.md#what-observed-tolerates.
"""

from __future__ import annotations

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
