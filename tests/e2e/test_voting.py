"""Voting in a real browser on the demo: the member sees what needs their vote, reads what a
choice means, casts online and gets a confirmation; results of a closed vote, the board's vote
page and the resolutions register; a proxy holder casts for themselves and the member they
represent in one step; the board closes a vote (after confirming) and sees the result, as the
members do; a ranked (single transferable vote) ballot. Every page is checked with axe-core."""
import json
from dataclasses import dataclass

import pytest

pytestmark = pytest.mark.e2e

BOARD = "bestuur@zonnedak.example"
MEMBER = "lid@zonnedak.example"


def submit(page, form="main form"):
    with page.expect_navigation() as nav:
        page.locator(f"{form} button[type=submit]").last.click()
    return nav.value


def test_a_member_votes_online_and_reads_results(page, visit, login, check_page):
    login(page, MEMBER)
    visit("/me/c/zonnedak/votes/")
    check_page("votes list")
    assert "Vaststelling begroting 2027" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Vaststelling begroting 2027").click()
    check_page("ballot")
    text = page.locator("main").inner_text()
    assert "Onthouding" in text or "Abstain" in text
    page.locator("main form input[type=radio][value=for]").check()
    assert submit(page).status == 200
    check_page("cast")
    assert "geteld als uitgebracht" in page.locator("main").inner_text() or "counted as cast" in page.locator("main").inner_text()
    visit("/me/c/zonnedak/votes/")
    with page.expect_navigation():
        page.get_by_role("link", name="Vaststelling jaarrekening 2025").first.click()
    check_page("result")
    assert "SHA-256" in page.locator("main").inner_text()
    visit("/c/zonnedak/resolutions")
    check_page("resolutions register")
    assert "ALV-" in page.locator("main").inner_text()


def test_the_board_sees_motions_and_a_vote(page, visit, login, check_page):
    login(page, BOARD)
    visit("/c/zonnedak/meetings/")
    with page.expect_navigation():
        page.get_by_role("link", name="Algemene ledenvergadering najaar").first.click()
    with page.expect_navigation():
        page.locator("a[href$='/voting']").first.click()
    check_page("motions and votes")
    with page.expect_navigation():
        page.locator("main ul a[href*='/votes/']").first.click()
    check_page("vote page")
    assert "SHA-256" not in page.locator("main").inner_text()  # still open


# --- a meeting in session with a standing proxy (De Hof, set up on the server) ------------------

DEHOF_BOARD = "bestuur@dehof.example"
CANDIDATES = ["Ilse Mulder", "Kees Hendriks", "Lotte Bos"]


@dataclass
class Session:
    holder_email: str
    holder_id: int
    grantor_id: int
    grantor_name: str
    proxy_vote: int  # a motion the holder casts on for both
    closing_vote: int  # a motion with ballots in, which the board closes
    stv_vote: int  # a secret election of two by single transferable vote
    voter_names: list  # who cast in the closing vote


@pytest.fixture(scope="module")
def session(live_server) -> Session:
    """De Hof's extra general meeting, in session: a member with an account holds the standing
    proxy of a member without one; voting opened with three votes."""
    from sqlalchemy import select

    from coop.auth.models import User
    from coop.extensions import db
    from coop.meetings import services as meetings
    from coop.members.models import Member, MemberStatus
    from coop.orgs.models import Cooperative
    from coop.voting import services
    from coop.voting.models import VoteKind
    from tests.meetings.helpers import make_meeting

    with live_server.app.test_request_context():
        coop = db.session.scalar(select(Cooperative).where(Cooperative.slug == "dehof"))
        chair = db.session.scalar(select(User).where(User.email == DEHOF_BOARD))
        voting = select(Member).where(Member.cooperative_id == coop.id, Member.status == MemberStatus.MEMBER)
        holder = db.session.scalars(voting.where(Member.user_id.is_not(None), Member.user_id != chair.id)
                                    .order_by(Member.id)).first()
        grantor = db.session.scalars(voting.where(Member.user_id.is_(None)).order_by(Member.id)).first()
        helpers = db.session.scalars(voting.where(Member.id.not_in([holder.id, grantor.id]))
                                     .order_by(Member.id).limit(3)).all()
        meeting = make_meeting(coop, chair, title="Extra ledenvergadering De Hof")
        meetings.add_item(meeting, {"title": "Renovatie dak", "kind": "decision"}, actor=chair)
        meetings.convene(meeting, actor=chair)
        meetings.give_proxy(meeting, grantor, holder, actor=chair)
        meetings.open_session(meeting, actor=chair)
        item = next(i for i in meeting.items if i.kind.value == "decision")

        def motion_vote(title):
            motion = services.create_motion(item, {"title": title, "text": f"De ALV besluit: {title}.",
                                                   "kind": "ordinary"}, actor=chair)
            return services.open_vote(meeting, actor=chair, title=title, motion=motion)

        proxy_vote = motion_vote("Renovatie van het dak")
        closing_vote = motion_vote("Nieuwe huisregels")
        for m, choice in zip(helpers, ["for", "for", "against"]):
            services.cast(closing_vote, m, {m.id: choice}, actor=None)
        stv_vote = services.open_vote(meeting, actor=chair, title="Verkiezing bewonerscommissie",
                                      kind=VoteKind.STV, options=CANDIDATES, seats=2, is_secret=True)
        for m, ranking in zip(helpers, [[CANDIDATES[0]], [CANDIDATES[0], CANDIDATES[2]], [CANDIDATES[1]]]):
            services.cast(stv_vote, m, {m.id: ranking}, actor=None)
        db.session.commit()
        return Session(holder_email=db.session.get(User, holder.user_id).email, holder_id=holder.id,
                       grantor_id=grantor.id, grantor_name=grantor.full_name, proxy_vote=proxy_vote.id,
                       closing_vote=closing_vote.id, stv_vote=stv_vote.id,
                       voter_names=[m.full_name for m in helpers])


def _ballots(live_server, vote_id):
    from sqlalchemy import select

    from coop.extensions import db
    from coop.voting.models import Ballot

    with live_server.app.app_context():
        return {b.member_id: (b.choice, b.channel.value, b.cast_by_member_id)
                for b in db.session.scalars(select(Ballot).where(Ballot.vote_id == vote_id))}


def test_a_proxy_holder_casts_for_themselves_and_the_member_represented_in_one_step(
        page, visit, login, check_page, live_server, session):
    login(page, session.holder_email)
    visit("/me/c/dehof/votes/", step="needs my vote")
    with page.expect_navigation():
        page.get_by_role("link", name="Renovatie van het dak").click()
    check_page("ballot for two")
    main = page.locator("main")
    assert session.grantor_name in main.inner_text()  # "For … (proxy)" / "Voor … (volmacht)"
    assert main.locator("fieldset").count() == 2
    main.locator(f"input[name=m{session.holder_id}][value=for]").check()
    main.locator(f"input[name=m{session.grantor_id}][value=against]").check()
    assert submit(page).status == 200
    check_page("two ballots cast")
    assert "2" in main.locator("[role=status]").inner_text()
    assert _ballots(live_server, session.proxy_vote) == {
        session.holder_id: ("for", "online", None),
        session.grantor_id: ("against", "proxy", session.holder_id)}
    visit(f"/me/c/dehof/votes/{session.proxy_vote}", step="nothing left to cast")
    assert main.locator("input[type=radio]").count() == 0


def test_the_board_closes_a_vote_after_confirming_and_members_see_the_result(
        page, visit, login, check_page, live_server, session):
    login(page, DEHOF_BOARD)
    visit(f"/c/dehof/votes/{session.closing_vote}", step="open vote")
    close = page.locator("form[action$='/close'] button[type=submit]")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "It cannot be reopened." — not yet
    close.click()
    page.wait_for_timeout(200)
    assert page.locator("form[action$='/close']").count() == 1  # still open
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        close.click()
    check_page("vote closed")
    assert asked and page.locator(".alert-success").count() == 1
    main = page.locator("main")
    assert page.locator("form[action$='/close']").count() == 0
    assert main.locator(".outcome").count() == 1 and "SHA-256" in main.inner_text()
    numbers = main.locator("section dl.facts dd")
    assert [numbers.nth(0).inner_text(), numbers.nth(1).inner_text()] == ["2", "1"]  # for, against
    result_hash = main.locator("code.hash").inner_text()
    assert len(result_hash) == 64

    page.context.clear_cookies()
    login(page, session.holder_email)
    visit(f"/me/c/dehof/votes/{session.closing_vote}/result", step="member sees the result")
    assert main.locator("code.hash").inner_text() == result_hash
    numbers = main.locator("section dl.facts dd")
    assert [numbers.nth(0).inner_text(), numbers.nth(1).inner_text()] == ["2", "1"]
    text = main.inner_text()
    assert all(name in text for name in session.voter_names)  # an open vote: who voted what


def test_a_ranked_ballot_with_number_selects_and_its_count(page, visit, login, check_page, live_server, session):
    login(page, session.holder_email)
    visit(f"/me/c/dehof/votes/{session.stv_vote}", step="ranked ballot")
    main = page.locator("main")
    assert main.locator("select").count() == 2 * len(CANDIDATES)  # own ballot and the proxy's
    me, other = session.holder_id, session.grantor_id
    # A number used twice is refused, and the choices are kept on the page.
    main.locator(f"#m{me}-1").select_option("1")
    main.locator(f"#m{me}-2").select_option("1")
    main.locator(f"#m{other}-blank").check()
    assert submit(page).status == 400
    check_page("ranking refused")
    assert main.locator(f"#m{me}-error").is_visible()
    assert main.locator(f"#m{other}-blank").is_checked()
    main.locator(f"#m{me}-2").select_option("2")
    assert submit(page).status == 200
    check_page("ranked ballots cast")
    assert main.locator("code.receipt").count() == 2

    page.context.clear_cookies()
    login(page, DEHOF_BOARD)
    visit(f"/c/dehof/votes/{session.stv_vote}", step="stv vote open")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[action$='/close'] button[type=submit]").click()
    check_page("stv count")
    tables = main.locator("table.stv-rounds")
    assert tables.count() == 1
    assert tables.locator("tbody tr").count() == len(CANDIDATES)
    with live_server.app.app_context():
        from coop.extensions import db
        from coop.voting.models import Vote

        result = json.loads(db.session.get(Vote, session.stv_vote).result_json)
    # 4 ranked ballots (one blank), 2 seats: quota 4 // 3 + 1 = 2.
    assert (result["cast"], result["blank"], result["quota"]) == (4, 1, 2)
    assert main.locator("table.stv-steps tbody tr").count() == len(result["rounds"])
    for name in result["elected"]:
        assert name in main.locator(".outcome").inner_text()
