"""Action-plan statuses: the summary at the top of the page and change detection."""

from collections import Counter
from dataclasses import dataclass

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
IMPLEMENTED = "implemented"
NOT_AGREED = "not_agreed"

STATUS_CHOICES = [
    (NOT_STARTED, "Not started"),
    (IN_PROGRESS, "In progress"),
    (IMPLEMENTED, "Implemented"),
    (NOT_AGREED, "Not agreed"),
]
STATUS_LABELS = dict(STATUS_CHOICES)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class ProgressSummary:
    counts: list
    total: int
    implemented: int

    @property
    def percent_implemented(self):
        """Whole percent implemented, rounded down so 11 of 12 never shows as 100%."""
        if not self.total:
            return 0
        return self.implemented * 100 // self.total

    @property
    def text(self):
        return f"{self.implemented} of {self.total} implemented"


def summarise(statuses):
    """Count recommendations per status, in the fixed order of STATUS_CHOICES.

    Rule: every recommendation counts towards the total, including those not
    agreed, so the progress bar never looks better than the plan as agreed
    in 2020. Unknown statuses count in the total only.
    """
    statuses = list(statuses)
    counter = Counter(statuses)
    counts = [StatusCount(key, label, counter.get(key, 0)) for key, label in STATUS_CHOICES]
    return ProgressSummary(counts=counts, total=len(statuses), implemented=counter[IMPLEMENTED])


def is_valid_status(value):
    return value in STATUS_LABELS


def status_changes(current, last_recorded):
    """Which recommendations changed status since the history last recorded them.

    `current` maps recommendation id -> status now live; `last_recorded` maps
    id -> the status of its latest history entry. Rule: a recommendation with
    no history yet is recorded with its first status (old status ""), one whose
    status equals its latest history entry is not recorded again, so
    republishing an unchanged page adds nothing. Returns (id, old, new) tuples
    in the order of `current`.
    """
    changes = []
    for key, status in current.items():
        previous = last_recorded.get(key, "")
        if status != previous:
            changes.append((key, previous, status))
    return changes
