"""Single transferable vote (rules.tally_stv, counted by stvpoll's Scottish STV): textbook
examples with the Droop quota, blank ballots, weights, reproducible lots, and properties."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from coop.voting import rules

FOOD = ["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"]


def test_the_textbook_food_election_with_a_droop_quota_of_six():
    """The classic example (20 voters, 3 seats): Chocolate's surplus of 6 goes 4 to
    Strawberries and 2 to Hamburgers in proportion to their next preferences; Pears drop out and
    pass on to Oranges, who reach the quota; Strawberries take the last seat."""
    ballots = [(["Oranges"], 4), (["Pears", "Oranges"], 2), (["Chocolate", "Strawberries"], 8),
               (["Chocolate", "Hamburgers"], 4), (["Strawberries"], 1), (["Hamburgers"], 1)]
    r = rules.tally_stv(ballots, FOOD, 3, seed="s")
    assert r.quota == 6  # 20 // (3 + 1) + 1
    assert r.elected == ["Chocolate", "Oranges", "Strawberries"]
    assert r.counts == {"Oranges": 4, "Pears": 2, "Chocolate": 12, "Strawberries": 1, "Hamburgers": 1}
    first = r.rounds[0]
    assert (first["action"], first["candidates"], first["method"]) == ("elected", ["Chocolate"], "quota")
    assert first["transfers"] == [["Chocolate", "Hamburgers", 2], ["Chocolate", "Strawberries", 4]]
    assert r.rounds[1]["votes"] == {"Hamburgers": 3, "Oranges": 4, "Pears": 2, "Strawberries": 5}
    assert (r.rounds[1]["action"], r.rounds[1]["candidates"]) == ("excluded", ["Pears"])
    assert r.rounds[1]["transfers"] == [["Pears", "Oranges", 2]]
    assert r.rounds[2]["candidates"] == ["Oranges"] and r.rounds[2]["votes"]["Oranges"] == 6
    assert not r.by_lot


def test_a_fractional_surplus_is_transferred_at_a_reduced_value():
    """Quota 34 for 100 ballots and 2 seats: Anna's 60 leave a surplus of 26, passed on at 26/60,
    which the Scottish rules take to five decimals (0.43333 a ballot)."""
    ballots = [(["Anna", "Bram"], 45), (["Anna", "Cor"], 15), (["Cor"], 25), (["Dirk"], 15)]
    r = rules.tally_stv(ballots, ["Anna", "Bram", "Cor", "Dirk"], 2, seed="s")
    assert r.quota == 34 and r.elected[0] == "Anna"
    transfers = {(a, b): n for a, b, n in r.rounds[0]["transfers"]}
    assert transfers[("Anna", "Bram")] == 19.49985  # 45 × 0.43333
    assert transfers[("Anna", "Cor")] == 6.49995  # 15 × 0.43333
    # Cor (31.49995) beats Bram (19.49985) once Dirk (15) is out and his votes go nowhere.
    assert r.elected == ["Anna", "Cor"]
    assert json.loads(json.dumps(r.as_dict())) == r.as_dict()  # stored as JSON without loss


def test_blank_ballots_and_unknown_or_repeated_names_do_not_count():
    ballots = [([], 3), (["Anna", "Anna", "Zed", "Bram"], 1), (["Bram"], 1), (["Cor"], 1)]
    r = rules.tally_stv(ballots, ["Anna", "Bram", "Cor"], 1, seed="s")
    assert (r.blank, r.cast) == (3, 3)
    assert r.counts == {"Anna": 1, "Bram": 1, "Cor": 1}
    assert rules.stv_ranking(["Anna", "Anna", "Zed", "Bram"], ["Anna", "Bram"]) == ("Anna", "Bram")


def test_weights_count_as_that_many_ballots():
    weighted = rules.tally_stv([(["Anna"], 3), (["Bram"], 2)], ["Anna", "Bram", "Cor"], 1, seed="s")
    repeated = rules.tally_stv([(["Anna"], 1)] * 3 + [(["Bram"], 1)] * 2, ["Anna", "Bram", "Cor"], 1, seed="s")
    assert weighted == repeated and weighted.elected == ["Anna"]


def test_a_tie_the_earlier_rounds_cannot_break_is_decided_by_the_published_seed():
    ballots = [(["Anna"], 2), (["Bram"], 2), (["Cor"], 3)]
    names = ["Anna", "Bram", "Cor"]
    seen = set()
    for seed in ("a", "b", "c", "d", "e", "f"):
        r = rules.tally_stv(ballots, names, 2, seed=seed)
        assert r == rules.tally_stv(list(reversed(ballots)), names, 2, seed=seed)  # reproducible
        # Quota 3: Cor is elected, then Anna and Bram tie on 2 in every round.
        assert r.rounds[0]["candidates"] == ["Cor"]
        assert r.rounds[1]["method"] == "lot" and r.rounds[1]["action"] == "excluded"
        # The last of the two in the draw is excluded.
        loser = r.rounds[1]["candidates"][0]
        assert loser == [c for c in rules.draw_lot(seed, names, 3) if c in ("Anna", "Bram")][-1]
        assert r.by_lot == [loser] and set(r.elected) == {"Anna", "Bram", "Cor"} - {loser}
        seen.add(loser)
    assert seen == {"Anna", "Bram"}  # the seed decides, not the order of the names


def test_a_tie_is_first_broken_by_the_earlier_rounds():
    """13 ballots, 1 seat, quota 7. Dirk (1) drops out first and passes to Anna; then Anna and
    Bram tie on 4, and Anna goes because she had fewer in round 1 (3 against 4)."""
    ballots = [(["Anna"], 3), (["Bram"], 4), (["Cor"], 5), (["Dirk", "Anna"], 1)]
    r = rules.tally_stv(ballots, ["Anna", "Bram", "Cor", "Dirk"], 1, seed="s")
    assert r.rounds[1]["votes"] == {"Anna": 4, "Bram": 4, "Cor": 5}
    assert (r.rounds[1]["candidates"], r.rounds[1]["method"]) == (["Anna"], "history")
    assert r.elected == ["Cor"] and not r.by_lot


def test_as_many_seats_as_candidates_elects_them_all():
    r = rules.tally_stv([(["Anna"], 1)], ["Bram", "Anna"], 2, seed="s")
    assert r.elected == ["Anna", "Bram"]


# --- properties ---------------------------------------------------------------------------------

NAMES = ["Anna", "Bram", "Cor", "Dirk", "Eva"]
rankings = st.lists(st.sampled_from(NAMES), unique=True, max_size=5)
ballot_lists = st.lists(st.tuples(rankings, st.integers(min_value=1, max_value=3)), max_size=25)


@settings(max_examples=150, deadline=None)
@given(ballot_lists, st.integers(min_value=1, max_value=4), st.randoms(use_true_random=False), st.text(max_size=8))
def test_the_order_of_the_ballots_does_not_matter(ballots, seats, rnd, seed):
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert rules.tally_stv(ballots, NAMES, seats, seed=seed) == rules.tally_stv(shuffled, NAMES, seats, seed=seed)


@settings(max_examples=150, deadline=None)
@given(ballot_lists, st.integers(min_value=1, max_value=4))
def test_exactly_the_seats_are_filled_by_distinct_candidates(ballots, seats):
    r = rules.tally_stv(ballots, NAMES, seats, seed="zaad")
    if r.cast == 0:  # no ballot names anyone: nobody is elected, not even by lot
        assert (r.outcome, r.elected) == (rules.NO_VOTES, [])
        return
    assert len(r.elected) == seats and len(set(r.elected)) == seats and set(r.elected) <= set(NAMES)
    assert r.quota == r.cast // (seats + 1) + 1


@settings(max_examples=150, deadline=None)
@given(ballot_lists, st.integers(min_value=1, max_value=4), st.sampled_from(NAMES))
def test_a_first_preference_for_more_than_a_droop_quota_elects(ballots, seats, favourite):
    firsts = sum(w for ranking, w in ballots if ranking and ranking[0] == favourite)
    cast = sum(w for ranking, w in ballots if ranking)
    if firsts >= cast // (seats + 1) + 1:
        assert favourite in rules.tally_stv(ballots, NAMES, seats, seed="zaad").elected


@settings(max_examples=100, deadline=None)
@given(ballot_lists, st.integers(min_value=1, max_value=4))
def test_one_seat_goes_to_an_absolute_majority_of_first_preferences(ballots, seats):
    counts = rules.tally_stv(ballots, NAMES, 1, seed="zaad")
    leader = max(counts.counts, key=counts.counts.get)
    if 2 * counts.counts[leader] > counts.cast:
        assert counts.elected == [leader]


def test_the_count_is_the_same_in_another_process_whatever_its_hash_seed():
    """``flask coop recount`` runs in a new process, where Python orders sets of names
    differently (PYTHONHASHSEED): the count must not depend on that."""
    import os
    import subprocess
    import sys

    script = (
        "import json, random\n"
        "from coop.voting import rules\n"
        "rng = random.Random(7)\n"
        "names = ['Anna', 'Bram', 'Cor', 'Dirk', 'Eva', 'Fenna']\n"
        "out = []\n"
        "for i in range(150):\n"
        "    ballots = [(rng.sample(names, rng.randint(0, 6)), rng.randint(1, 2)) for _ in range(rng.randint(0, 12))]\n"
        "    out.append(rules.tally_stv(ballots, names, rng.randint(1, 4), seed=str(i)).as_dict())\n"
        "print(json.dumps(out, sort_keys=True))\n")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env=os.environ | {"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1 and json.loads(outputs.pop())
