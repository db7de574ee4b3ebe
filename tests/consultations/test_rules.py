"""The pure rules of consultations: options, answers on offer, the tally, the hash, reminders."""
import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from coop.consultations import rules

OPTIONS = ["School", "Loods", "Wachten"]
option = st.sampled_from(OPTIONS)


def test_options_need_two_different_usable_names():
    assert rules.clean_options([" School ", "", "Loods"]) == ["School", "Loods"]
    assert rules.clean_options(["School"]) is None
    assert rules.clean_options(["School", "School"]) is None
    assert rules.clean_options(["School", "blank"]) is None
    assert rules.clean_options(["School", "x" * 201]) is None
    assert rules.clean_options([str(n) for n in range(rules.MAX_OPTIONS + 1)]) is None


def test_an_answer_must_be_on_offer():
    assert rules.stored_choice(OPTIONS, "Loods", multiple=False) == "Loods"
    assert rules.stored_choice(OPTIONS, "Garage", multiple=False) is None
    assert rules.stored_choice(OPTIONS, ["Loods"], multiple=False) is None  # a list where one is asked
    assert rules.stored_choice(OPTIONS, "", multiple=False) is None
    assert rules.stored_choice(OPTIONS, ["Wachten", "School", "School"], multiple=True) == '["School", "Wachten"]'
    assert rules.stored_choice(OPTIONS, [], multiple=True) is None
    assert rules.stored_choice(OPTIONS, ["School", "Garage"], multiple=True) is None


def test_tally_counts_each_answer_and_the_turnout():
    r = rules.tally(["School", "School", "Loods"], OPTIONS, multiple=False, eligible=4)
    assert r == {"counts": {"School": 2, "Loods": 1, "Wachten": 0}, "answered": 3, "eligible": 4,
                 "turnout_percent": 75.0}
    multi = rules.tally(['["Loods", "School"]', '["School"]'], OPTIONS, multiple=True, eligible=2)
    assert multi["counts"] == {"School": 2, "Loods": 1, "Wachten": 0} and multi["answered"] == 2
    assert rules.tally([], OPTIONS, multiple=False, eligible=0)["turnout_percent"] == 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(option, max_size=60), st.randoms())
def test_the_result_and_its_hash_do_not_depend_on_the_order_of_answers(answers, rnd):
    roll = list(range(1, len(answers) + 5))
    shuffled = answers[:]
    rnd.shuffle(shuffled)
    a = rules.tally(answers, OPTIONS, multiple=False, eligible=len(roll))
    b = rules.tally(shuffled, OPTIONS, multiple=False, eligible=len(roll))
    assert a == b
    assert rules.freeze(roll, answers, a) == rules.freeze(list(reversed(roll)), shuffled, b)
    assert sum(a["counts"].values()) == a["answered"] == len(answers)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sets(option, min_size=1), min_size=1, max_size=40))
def test_with_multiple_choice_every_ticked_option_counts_once(ticks):
    answers = [rules.stored_choice(OPTIONS, sorted(t), multiple=True) for t in ticks]
    r = rules.tally(answers, OPTIONS, multiple=True, eligible=len(ticks))
    assert sum(r["counts"].values()) == sum(len(t) for t in ticks)
    assert all(r["counts"][o] == sum(o in t for t in ticks) for o in OPTIONS)
    assert r["turnout_percent"] == 100.0


@settings(deadline=None)
@given(st.lists(option, min_size=1, max_size=30), st.integers(0, 29))
def test_changing_one_answer_changes_the_hash(answers, index):
    index %= len(answers)
    roll = list(range(len(answers)))
    r = rules.tally(answers, OPTIONS, multiple=False, eligible=len(roll))
    changed = answers[:]
    changed[index] = next(o for o in OPTIONS if o != answers[index])
    assert rules.freeze(roll, changed, r) != rules.freeze(roll, answers, r)
    assert rules.freeze(roll[:-1], answers, r) != rules.freeze(roll, answers, r)
    assert json.dumps(r)  # the result is plain JSON


def test_a_reminder_is_due_within_the_period_before_closing_only():
    closes = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    assert not rules.reminder_due(closes, closes - timedelta(hours=49), 48)
    assert rules.reminder_due(closes, closes - timedelta(hours=48), 48)
    assert rules.reminder_due(closes, closes - timedelta(minutes=1), 48)
    assert not rules.reminder_due(closes, closes, 48)
    assert rules.reminder_due(closes, closes - timedelta(hours=70), 72)
