"""Pure rules of the follow-up (no Flask, no database): the default status list, what an update
must carry, how an item counts in the follow-up rate, and narrative text as paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: The status list every cooperative starts with: (name, phase, default progress %).
DEFAULT_STATUSES = (
    ("planned", "planned", 0),
    ("in_progress", "in_progress", 50),
    ("done", "done", 100),
    ("dropped", "dropped", 0),
)

#: Outcomes of the follow-up rate, in the order they are shown.
OUTCOMES = ("on_time", "late", "open", "dropped")


class UpdateRefused(ValueError):
    """An update that the rules do not allow; ``code`` says which rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Update:
    phase: str
    progress: int
    completed_on: date | None
    dropped_reason: str | None


def check_update(*, phase: str, text: str | None, progress: int | None, default_progress: int,
                 posted_on: date, reason: str | None) -> Update:
    """Validate an update; returns what the item becomes. Done needs an update text saying what
    was done; dropped needs a reason; progress is the status's default unless given; done is
    100 %."""
    text, reason = (text or "").strip(), (reason or "").strip()
    if phase == "done" and not text:
        raise UpdateRefused("done_needs_text")
    if phase == "dropped" and not reason:
        raise UpdateRefused("dropped_needs_reason")
    if not text and phase != "dropped":
        raise UpdateRefused("text_required")
    if progress is None:
        progress = default_progress
    if not 0 <= progress <= 100:
        raise UpdateRefused("progress_range")
    if phase == "done":
        progress = 100
    return Update(phase=phase, progress=progress,
                  completed_on=posted_on if phase == "done" else None,
                  dropped_reason=reason if phase == "dropped" else None)


def outcome(phase: str, due_on: date | None, completed_on: date | None) -> str:
    """How an item counts in the follow-up rate: carried out on time (on or before its due
    date, or without one), late, still open, or dropped."""
    if phase == "dropped":
        return "dropped"
    if phase == "done":
        if due_on is None or (completed_on is not None and completed_on <= due_on):
            return "on_time"
        return "late"
    return "open"


def is_overdue(phase: str, due_on: date | None, today: date) -> bool:
    return phase in ("planned", "in_progress") and due_on is not None and due_on < today


def rate(outcomes: list[str]) -> dict[str, int]:
    """Counts per outcome (every outcome present, zero when none)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for o in outcomes:
        counts[o] += 1
    return counts


def percentages(counts: dict[str, int]) -> dict[str, int]:
    """Whole percentages per outcome that add up to 100 (largest remainder), or all 0."""
    total = sum(counts.values())
    if not total:
        return dict.fromkeys(counts, 0)
    exact = {k: 100 * v / total for k, v in counts.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - out[k], reverse=True)[:100 - sum(out.values())]:
        out[k] += 1
    return out


def paragraphs(text: str | None) -> list[str]:
    """Narrative text as paragraphs (split on blank lines, whitespace tidied). Rendered as
    text, so markup typed into a narrative is shown, never run."""
    if not text:
        return []
    return [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def names_in(text: str, names: list[str]) -> list[str]:
    """The names (full names of people) that ``text`` mentions, case-insensitively, as whole
    words."""
    found, low = [], " ".join((text or "").lower().split())
    for name in names:
        n = " ".join(name.lower().split())
        if n and re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", low):
            found.append(name)
    return found
