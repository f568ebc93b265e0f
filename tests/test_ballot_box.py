"""The ballot box stores the votes of many live connections in batches, and every vote it
acknowledges is in the database once."""

import threading

from sqlalchemy import func, select

from consultations.models import Registration, RegistrationStatus, Role
from portal import create_app
from portal.extensions import db
from recommendations import ballot_box as ballot_box_module
from recommendations import voting
from recommendations.ballot_box import BallotBox
from recommendations.models import Vote, VoteChoice, VoteRound
from tests.conftest import suite_settings
from tests.databases import scratch_database
from tests.servers import prepare_database
from tests.test_voting_concurrency import fill

VOTERS = 40
#: Nobody signs in here: the accounts need no real password hash.
CHEAP_HASH = "pbkdf2:sha256:1$salt$0"


def add_voters(app):
    fill(app)
    from portal.accounts.operations import create_account

    consultation_id = db.session.scalar(select(VoteRound.consultation_id))
    for number in range(VOTERS):
        user = create_account(email=f"voter{number}@example.org", password_hash=CHEAP_HASH,
                              name=f"Voter {number}", organisation="IFRC",
                              stakeholder_group="red_cross", country="KE")
        db.session.add(Registration(consultation_id=consultation_id, user=user,
                                    role=Role.participant, status=RegistrationStatus.approved,
                                    organisation="IFRC", stakeholder_group=user.stakeholder_group,
                                    country="KE"))
    db.session.flush()


def test_votes_arriving_together_are_stored_in_fewer_transactions_and_all_kept(
    tmp_path, monkeypatch
):
    with scratch_database(tmp_path, "ballots") as url:
        prepare_database(url, add_voters)
        app = create_app(suite_settings(url, BALLOT_BOX=True))
        box = BallotBox()
        commits = []
        real = BallotBox._store_together
        monkeypatch.setattr(BallotBox, "_store_together",
                            staticmethod(lambda batch: commits.append(len(batch)) or real(batch)))
        with app.app_context():
            round_ = db.session.scalar(select(VoteRound))
            voters = [voting.voter_in(round_, registration.user)
                      for registration in db.session.scalars(select(Registration))
                      if registration.user.email.startswith("voter")]
            db.session.remove()
        start = threading.Barrier(len(voters))
        answers, failures = [], []

        def vote(voter) -> None:
            with app.app_context():
                start.wait(timeout=30)
                try:
                    answers.append(box.store(voter, VoteChoice.support, None))
                except Exception as error:  # noqa: BLE001  (reported below)
                    failures.append(repr(error))

        threads = [threading.Thread(target=vote, args=(voter,)) for voter in voters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(Vote))
            seqs = sorted(db.session.scalars(select(Vote.seq)))
            db.session.remove()
            db.engine.dispose()

    assert failures == []
    assert all(answer is not None for answer in answers) and len(answers) == VOTERS
    assert stored == VOTERS and seqs == list(range(1, VOTERS + 1))
    assert sum(commits) == VOTERS and len(commits) < VOTERS


def test_a_vote_the_box_could_not_store_is_reported_not_acknowledged(tmp_path, monkeypatch):
    with scratch_database(tmp_path, "ballots") as url:
        prepare_database(url, add_voters)
        app = create_app(suite_settings(url, BALLOT_BOX=True))
        box = BallotBox()

        def broken(voter, choice, reservation):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(ballot_box_module.voting, "store_vote", broken)
        with app.app_context():
            round_ = db.session.scalar(select(VoteRound))
            registration = db.session.scalar(select(Registration).where(
                Registration.role == Role.participant))
            voter = voting.voter_in(round_, registration.user)
            try:
                box.store(voter, VoteChoice.oppose, None)
            except ballot_box_module.BallotBoxUnavailable:
                refused = True
            else:
                refused = False
            db.session.remove()
            db.engine.dispose()

    assert refused


def test_the_box_keeps_storing_after_a_failure_around_a_batch(tmp_path, monkeypatch):
    with scratch_database(tmp_path, "ballots") as url:
        prepare_database(url, add_voters)
        app = create_app(suite_settings(url, BALLOT_BOX=True))
        box = BallotBox()
        monkeypatch.setattr(ballot_box_module, "PATIENCE", 10)
        real_remove = db.session.remove
        failures = []

        def remove_failing_once():
            real_remove()
            if not failures:
                failures.append("once")
                raise RuntimeError("the connection pool went away")

        with app.app_context():
            round_ = db.session.scalar(select(VoteRound))
            voters = [voting.voter_in(round_, registration.user)
                      for registration in db.session.scalars(select(Registration))
                      if registration.user.email.startswith("voter")][:2]
            db.session.remove()
            monkeypatch.setattr(ballot_box_module.db.session, "remove", remove_failing_once)
            # The first batch committed before the failure: its vote is acknowledged.
            first = box.store(voters[0], VoteChoice.support, None)
            second = box.store(voters[1], VoteChoice.oppose, None)
            monkeypatch.setattr(ballot_box_module.db.session, "remove", real_remove)
            stored = db.session.scalars(select(Vote.id).order_by(Vote.id)).all()
            db.session.remove()
            db.engine.dispose()

    assert failures == ["once"]
    assert [first.vote_id, second.vote_id] == stored
