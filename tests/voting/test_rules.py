"""The pure voting rules: majorities, quorum, ties, blanks, weights, elections, lots, hashes."""
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.voting import rules
from coop.voting.rules import ABSTAIN, ADOPTED, AGAINST, BLANK, FOR, NO_QUORUM, REJECTED, MajorityRule

ORDINARY = MajorityRule(1, 2)
QUALIFIED = MajorityRule(2, 3, at_least=True, quorum_num=2, quorum_den=3)


def ones(*choices):
    return [(c, 1) for c in choices]


def test_more_than_half_of_votes_cast_adopts_and_a_tie_rejects():
    assert rules.tally_motion(ones(FOR, FOR, AGAINST), roll_weight=3, rule=ORDINARY).outcome == ADOPTED
    assert rules.tally_motion(ones(FOR, AGAINST), roll_weight=2, rule=ORDINARY).outcome == REJECTED


def test_abstentions_and_blanks_are_not_cast_unless_the_statutes_count_blanks():
    r = rules.tally_motion(ones(FOR, AGAINST, FOR, ABSTAIN, ABSTAIN, BLANK, "garbage"), roll_weight=10, rule=ORDINARY)
    assert (r.cast, r.votes_for, r.abstentions, r.blank, r.participated) == (3, 2, 2, 2, 7)
    assert r.outcome == ADOPTED
    counted = MajorityRule(1, 2, blank_counts_as_cast=True)
    r = rules.tally_motion(ones(FOR, FOR, AGAINST, BLANK), roll_weight=4, rule=counted)
    assert r.cast == 4 and r.outcome == REJECTED  # 2 of 4 is not more than half


def test_two_thirds_is_at_least_two_thirds_and_needs_the_quorum():
    assert rules.tally_motion(ones(FOR, FOR, AGAINST), roll_weight=3, rule=QUALIFIED).outcome == ADOPTED
    assert rules.tally_motion(ones(FOR, FOR, AGAINST, AGAINST), roll_weight=4, rule=QUALIFIED).outcome == REJECTED
    r = rules.tally_motion(ones(FOR, FOR, FOR), roll_weight=5, rule=QUALIFIED)
    assert r.quorum_needed == 4 and not r.quorum_met and r.outcome == NO_QUORUM
    # abstaining members count for the quorum (they are present)
    assert rules.tally_motion(ones(FOR, ABSTAIN, ABSTAIN, ABSTAIN), roll_weight=5, rule=QUALIFIED).outcome == ADOPTED


def test_the_quorum_is_measured_against_those_present_or_represented():
    # Two ballots of five on the roll, but four present or represented: 2/3 of 5 needs 4.
    r = rules.tally_motion(ones(FOR, FOR), roll_weight=5, rule=QUALIFIED, present_weight=4)
    assert (r.present, r.participated, r.quorum_met, r.outcome) == (4, 2, True, ADOPTED)
    assert rules.tally_motion(ones(FOR, FOR), roll_weight=5, rule=QUALIFIED, present_weight=3).outcome == NO_QUORUM
    # whoever handed in a ballot was there, whatever the attendance says
    assert rules.tally_motion(ones(FOR, FOR, FOR, FOR), roll_weight=5, rule=QUALIFIED, present_weight=0).quorum_met


def test_no_votes_cast_rejects():
    assert rules.tally_motion(ones(ABSTAIN), roll_weight=1, rule=ORDINARY).outcome == REJECTED
    assert rules.tally_motion([], roll_weight=0, rule=ORDINARY).outcome == REJECTED


def test_weights_count():
    r = rules.tally_motion([(FOR, 5), (AGAINST, 1), (AGAINST, 1)], roll_weight=7, rule=ORDINARY)
    assert (r.votes_for, r.votes_against, r.outcome) == (5, 2, ADOPTED)
    with pytest.raises(ValueError):
        rules.tally_motion([(FOR, -1)], roll_weight=1, rule=ORDINARY)


def test_an_invalid_rule_is_refused():
    with pytest.raises(ValueError):
        MajorityRule(3, 2)


rule_st = st.sampled_from([ORDINARY, QUALIFIED, MajorityRule(1, 2, quorum_num=1, quorum_den=2),
                           MajorityRule(3, 4, at_least=True), MajorityRule(1, 2, blank_counts_as_cast=True)])
ballot_st = st.lists(st.tuples(st.sampled_from([FOR, AGAINST, ABSTAIN, BLANK]), st.integers(1, 5)), max_size=40)


@given(st.integers(1, 200), rule_st)
def test_unanimous_for_passes_when_quorum_holds(n, rule):
    r = rules.tally_motion(ones(*[FOR] * n), roll_weight=n, rule=rule)
    assert r.quorum_met and r.outcome == ADOPTED


@given(ballot_st, rule_st, st.integers(0, 50), st.data())
def test_moving_one_vote_from_for_to_against_never_helps(ballots, rule, extra, data):
    fors = [i for i, (c, _w) in enumerate(ballots) if c == FOR]
    if not fors:
        return
    i = data.draw(st.sampled_from(fors))
    moved = list(ballots)
    moved[i] = (AGAINST, ballots[i][1])
    roll = sum(w for _c, w in ballots) + extra
    before = rules.tally_motion(ballots, roll_weight=roll, rule=rule)
    after = rules.tally_motion(moved, roll_weight=roll, rule=rule)
    rank = {NO_QUORUM: 0, REJECTED: 0, ADOPTED: 1}
    assert rank[after.outcome] <= rank[before.outcome]


@given(st.lists(st.sampled_from([FOR, AGAINST, ABSTAIN, BLANK]), max_size=40), rule_st, st.integers(0, 20))
def test_weights_of_one_equal_one_member_one_vote(choices, rule, absent):
    weighted = rules.tally_motion([(c, 1) for c in choices], roll_weight=len(choices) + absent, rule=rule)
    counted = {c: choices.count(c) for c in (FOR, AGAINST, ABSTAIN, BLANK)}
    assert weighted.votes_for == counted[FOR] and weighted.votes_against == counted[AGAINST]
    assert weighted.participated == len(choices)


@given(ballot_st, rule_st, st.randoms(use_true_random=False))
def test_outcome_does_not_depend_on_ballot_order(ballots, rule, rnd):
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    roll = sum(w for _c, w in ballots) + 3
    assert rules.tally_motion(ballots, roll_weight=roll, rule=rule) == rules.tally_motion(shuffled, roll_weight=roll, rule=rule)
    assert rules.result_hash([(1, 1)], ballots, {"a": 1}) == rules.result_hash([(1, 1)], shuffled, {"a": 1})


@given(ballot_st, rule_st, st.integers(0, 60), st.integers(0, 60))
def test_more_members_present_never_undoes_a_quorum(ballots, rule, present, more):
    roll = sum(w for _c, w in ballots) + present + more
    fewer = rules.tally_motion(ballots, roll_weight=roll, rule=rule, present_weight=present)
    larger = rules.tally_motion(ballots, roll_weight=roll, rule=rule, present_weight=present + more)
    assert larger.quorum_met >= fewer.quorum_met
    if fewer.quorum_met:
        assert larger.outcome == fewer.outcome



# --- elections ----------------------------------------------------------------------------------


def test_absolute_majority_elects_in_the_first_round():
    r = rules.tally_election(ones("Anna", "Anna", "Bram"), ["Anna", "Bram", "Cor"], seed="s")
    assert r.outcome == rules.ELECTED and r.elected == ["Anna"]


def test_without_absolute_majority_the_top_two_go_to_a_run_off():
    r = rules.tally_election(ones("Anna", "Anna", "Bram", "Cor", "Bram", "Dirk"), ["Anna", "Bram", "Cor", "Dirk"], seed="s")
    assert r.outcome == rules.RUNOFF and r.runoff == ["Anna", "Bram"] and not r.by_lot


def test_a_tie_for_second_place_is_drawn_by_lot_reproducibly():
    ballots = ones("Anna", "Anna", "Bram", "Cor")
    r1 = rules.tally_election(ballots, ["Anna", "Bram", "Cor"], seed="published-seed")
    r2 = rules.tally_election(list(reversed(ballots)), ["Cor", "Bram", "Anna"], seed="published-seed")
    assert r1.outcome == rules.RUNOFF and "Anna" in r1.runoff and len(r1.by_lot) == 1
    assert r1 == rules.ElectionResult(r1.outcome, r1.counts, r1.cast, r1.elected, r2.runoff, r2.by_lot)


def test_a_tie_in_the_run_off_is_decided_by_lot_from_the_seed():
    seeds = {rules.tally_election(ones("Anna", "Bram"), ["Anna", "Bram"], seed=f"s{i}", is_runoff=True).elected[0]
             for i in range(30)}
    assert seeds == {"Anna", "Bram"}  # the seed decides, not the order
    r = rules.tally_election(ones("Anna", "Bram"), ["Anna", "Bram"], seed="x", is_runoff=True)
    assert r.by_lot == r.elected


@given(st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=8, unique=True), st.text(), st.integers(1, 3))
def test_the_lot_is_reproducible_and_independent_of_order(candidates, seed, k):
    shuffled = list(candidates)
    random.Random(1).shuffle(shuffled)
    assert rules.draw_lot(seed, candidates, k) == rules.draw_lot(seed, shuffled, k)
    assert set(rules.draw_lot(seed, candidates, k)) <= set(candidates)


def test_without_a_valid_vote_nobody_is_elected_not_even_by_lot():
    assert rules.tally_election([], ["A", "B"], seed="s").outcome == rules.NO_VOTES
    r = rules.tally_election([(BLANK, 3)], ["A", "B", "C"], seed="s")
    assert (r.outcome, r.elected, r.by_lot) == (rules.NO_VOTES, [], [])
    assert rules.tally_approval([([], 2)], ["A", "B", "C"], 2, seed="s").elected == []
    assert rules.tally_stv([([], 1)], ["A", "B", "C"], 2, seed="s").outcome == rules.NO_VOTES


def test_approval_elects_the_most_approved_and_draws_ties_for_the_last_seat():
    ballots = [({"Anna", "Bram"}, 1), ({"Anna", "Cor"}, 1), ({"Anna", "Dirk"}, 1), ({"nobody"}, 1)]
    r = rules.tally_approval(ballots, ["Anna", "Bram", "Cor", "Dirk"], 2, seed="s")
    assert r.elected[0] == "Anna" and len(r.elected) == 2 and len(r.by_lot) == 1 and r.cast == 3
    r = rules.tally_approval([({"Anna", "Bram"}, 2), ({"Cor"}, 1)], ["Anna", "Bram", "Cor"], 2, seed="s")
    assert r.elected == ["Anna", "Bram"] and not r.by_lot


def test_paper_totals_may_not_exceed_the_papers_handed_out_or_those_present():
    ok = dict(handed_out=10, present_plus_represented=10)
    assert rules.paper_totals_refusal({FOR: 6, AGAINST: 4}, **ok) is None
    assert rules.paper_totals_refusal({FOR: 7, AGAINST: 4}, **ok) == "exceeds_handed_out"
    assert rules.paper_totals_refusal({FOR: 1}, handed_out=11, present_plus_represented=10) == "exceeds_present"
    assert rules.paper_totals_refusal({FOR: -1}, **ok) == "negative"


def test_the_result_hash_changes_with_any_ballot_and_the_roll():
    base = rules.result_hash([(1, 1), (2, 1)], ones(FOR, AGAINST), {"o": "x"})
    assert base != rules.result_hash([(1, 1), (2, 1)], ones(FOR, FOR), {"o": "x"})
    assert base != rules.result_hash([(1, 1), (3, 1)], ones(FOR, AGAINST), {"o": "x"})
    assert base != rules.result_hash([(1, 1), (2, 1)], ones(FOR, AGAINST), {"o": "y"})
    # who was present at closing is part of the frozen roll
    assert (rules.result_hash([(1, 1, True), (2, 1, False)], ones(FOR), {"o": "x"})
            != rules.result_hash([(1, 1, True), (2, 1, True)], ones(FOR), {"o": "x"}))
    assert len(base) == 64
