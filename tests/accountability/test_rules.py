"""The pure follow-up rules: what an update must carry, how items count, narrative as text."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.accountability import rules

D = date(2026, 6, 1)


def test_done_needs_an_update_text():
    with pytest.raises(rules.UpdateRefused) as e:
        rules.check_update(phase="done", text="  ", progress=None, default_progress=100, posted_on=D, reason=None)
    assert e.value.code == "done_needs_text"


def test_dropped_needs_a_reason():
    with pytest.raises(rules.UpdateRefused) as e:
        rules.check_update(phase="dropped", text="", progress=None, default_progress=0, posted_on=D, reason="")
    assert e.value.code == "dropped_needs_reason"
    ok = rules.check_update(phase="dropped", text="", progress=None, default_progress=0, posted_on=D,
                            reason="Subsidie afgewezen")
    assert ok.dropped_reason == "Subsidie afgewezen" and ok.completed_on is None


def test_progress_defaults_to_the_status_and_done_is_complete():
    assert rules.check_update(phase="in_progress", text="Offertes", progress=None, default_progress=50,
                              posted_on=D, reason=None).progress == 50
    assert rules.check_update(phase="in_progress", text="Offertes", progress=70, default_progress=50,
                              posted_on=D, reason=None).progress == 70
    done = rules.check_update(phase="done", text="Geplaatst", progress=30, default_progress=100,
                              posted_on=D, reason=None)
    assert (done.progress, done.completed_on) == (100, D)
    with pytest.raises(rules.UpdateRefused):
        rules.check_update(phase="planned", text="x", progress=101, default_progress=0, posted_on=D, reason=None)


def test_outcomes():
    assert rules.outcome("done", D, D) == "on_time"
    assert rules.outcome("done", D, D + timedelta(days=1)) == "late"
    assert rules.outcome("done", None, D) == "on_time"
    assert rules.outcome("in_progress", D, None) == "open"
    assert rules.outcome("planned", None, None) == "open"
    assert rules.outcome("dropped", D, None) == "dropped"
    assert rules.is_overdue("planned", D, D + timedelta(days=1))
    assert not rules.is_overdue("planned", D, D)
    assert not rules.is_overdue("done", D, D + timedelta(days=9))


@given(st.lists(st.sampled_from(rules.OUTCOMES), max_size=60))
def test_rate_counts_every_item_once_and_percentages_add_up(outcomes):
    counts = rules.rate(outcomes)
    assert sum(counts.values()) == len(outcomes) and set(counts) == set(rules.OUTCOMES)
    pct = rules.percentages(counts)
    assert sum(pct.values()) == (100 if outcomes else 0)
    assert all(abs(pct[k] - 100 * counts[k] / max(len(outcomes), 1)) < 1 for k in counts)


def test_narrative_is_paragraphs_of_text():
    assert rules.paragraphs("Eén\nregel\n\n  Twee  ") == ["Eén regel", "Twee"]
    assert rules.paragraphs(None) == []


@given(st.text())
def test_paragraphs_never_lose_words(text):
    assert " ".join(rules.paragraphs(text)).split() == text.split()


def test_names_are_found_as_whole_words():
    names = ["Anna Jansen", "Bert Bakker"]
    assert rules.names_in("Dank aan anna  jansen voor het werk.", names) == ["Anna Jansen"]
    assert rules.names_in("Annajansen", names) == []
