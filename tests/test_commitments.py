"""Commitments on a review's recommendations: who commits for which organisation, who reports
progress, the follow-up page and its exports, and the reminder asking for reports."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from consultations.models import ConsultationStatus, Role
from portal.accounts.models import StakeholderGroup
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.mail import OutgoingMail
from portal.permissions import NotPermitted
from reviews import commitments, follow_up, setting_up
from reviews.models import CommitmentProgress, SynthesisedRecommendation
from tests.conftest import submit
from tests.test_reviews import adopt, make_review, signed_in


@pytest.fixture
def world(make_user, make_consultation, register):
    """A public review holding a closed consultation with two adopted recommendations; a
    participant of the Senegalese Red Cross, a State's delegate, the review's secretariat."""
    consultation = make_consultation(slug="dakar", status=ConsultationStatus.closed)
    secretariat = make_user(email="secretariat@example.org", name="Review secretariat")
    register(secretariat, consultation, Role.secretariat)
    review = make_review(secretariat)
    setting_up.attach_consultation(review, consultation, make_user(is_admin=True))
    first = adopt(consultation, 1, "One contact point", "Families need one contact point.")
    second = adopt(consultation, 2, "Search and rescue", "Coordinate search and rescue.")
    red_cross = make_user(email="red-cross@example.org", name="Awa",
                          organisation="Senegalese Red Cross Society")
    register(red_cross, consultation)
    state = make_user(email="state@example.org", name="Minister's adviser",
                      organisation="Government of Senegal",
                      stakeholder_group=StakeholderGroup.member_state)
    register(state, consultation)
    return {"review": review, "consultation": consultation, "first": first, "second": second,
            "red_cross": red_cross, "state": state, "secretariat": secretariat}


def commit(review, person, recommendation, action="Train 40 volunteers in restoring family "
                                                   "links.", **fields):
    return commitments.make_commitment(
        review, person, target=f"r{recommendation.id}", action=action,
        organisation=fields.pop("organisation", person.organisation), **fields)


def test_a_participant_commits_for_the_organisation_of_their_registration(app, world):
    review, first = world["review"], world["first"]
    client = signed_in(app, world["red_cross"])
    path = f"/reviews/{review.slug}/commitments/new"
    page = client.get(path).get_data(as_text=True)
    assert "Senegalese Red Cross Society" in page and "Another organisation" not in page
    response = submit(client, path, {
        "recommendation": f"r{first.id}", "organisation": "Senegalese Red Cross Society",
        "action": "Open a family links desk in Dakar.", "due_on": "2025-06-30",
        "location": "Dakar"})
    assert response.status_code == 302
    commitment = commitments.commitments_of(review)[0]
    assert (commitment.organisation, commitment.stakeholder_group, commitment.country) == (
        "Senegalese Red Cross Society", StakeholderGroup.red_cross, "SN")
    assert commitment.recommendation_id == first.id and commitment.due_on == date(2025, 6, 30)
    assert "commitment.made" in db.session.scalars(select(AuditEvent.action)).all()
    shown = client.get(response.location).get_data(as_text=True)
    assert "Open a family links desk in Dakar." in shown and "dakar R1" in shown


def test_a_participant_may_not_commit_for_another_organisation(app, world):
    review, first = world["review"], world["first"]
    client = signed_in(app, world["red_cross"])
    response = submit(client, f"/reviews/{review.slug}/commitments/new", {
        "recommendation": f"r{first.id}", "organisation": "another",
        "other_organisation": "UNHCR", "action": "Something."})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert commitments.commitments_of(review) == []
    with pytest.raises(NotPermitted):
        commitments.make_commitment(
            review, world["red_cross"], target=f"r{first.id}", action="Something.",
            typed=commitments.Organisation("UNHCR", StakeholderGroup.un_agency, ""))
    with pytest.raises(commitments.CommitmentRefused):
        commit(review, world["red_cross"], first, organisation="Government of Senegal")


def test_someone_outside_the_reviews_consultations_may_not_commit(app, world, make_user):
    review = world["review"]
    client = signed_in(app, make_user(organisation="Elsewhere"))
    assert client.get(f"/reviews/{review.slug}/commitments/new").status_code == 403


def test_the_review_team_types_the_organisation_it_commits_for(app, world):
    review, second = world["review"], world["second"]
    client = signed_in(app, world["secretariat"])
    response = submit(client, f"/reviews/{review.slug}/commitments/new", {
        "recommendation": f"r{second.id}", "organisation": "another",
        "other_organisation": "IOM Regional Office", "stakeholder_group": "un_agency",
        "country": "SN", "action": "Fund two rescue boats."})
    assert response.status_code == 302
    commitment = commitments.commitments_of(review)[0]
    assert (commitment.organisation, commitment.stakeholder_group) == (
        "IOM Regional Office", StakeholderGroup.un_agency)


def test_a_commitment_needs_an_action_and_keeps_what_was_typed(app, world):
    review, first = world["review"], world["first"]
    client = signed_in(app, world["red_cross"])
    response = submit(client, f"/reviews/{review.slug}/commitments/new", {
        "recommendation": f"r{first.id}", "organisation": "Senegalese Red Cross Society",
        "action": "", "location": "Saint-Louis"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Saint-Louis"' in page
    assert "What the organisation will do" in page and commitments.commitments_of(review) == []


def test_the_same_organisation_reports_progress_whatever_the_case_and_spacing(
        app, world, make_user, register):
    review, first = world["review"], world["first"]
    commitment = commit(review, world["red_cross"], first)
    colleague = make_user(organisation="  senegalese  red cross society ")
    register(colleague, world["consultation"])
    client = signed_in(app, colleague)
    path = f"/reviews/{review.slug}/commitments/{commitment.id}"
    response = submit(client, path, {"progress": "under_way", "text": "20 volunteers trained.",
                                     "link": "https://example.org/report"})
    assert response.status_code == 302
    db.session.expire_all()
    assert commitment.progress == CommitmentProgress.under_way
    assert "20 volunteers trained." in client.get(path).get_data(as_text=True)


def test_another_organisation_may_not_report_progress(app, world):
    review, first = world["review"], world["first"]
    commitment = commit(review, world["red_cross"], first)
    client = signed_in(app, world["state"])
    path = f"/reviews/{review.slug}/commitments/{commitment.id}"
    assert "Report progress" not in client.get(path).get_data(as_text=True)
    assert submit(client, path, {"progress": "done"}).status_code == 403
    assert commitment.reports == []
    with pytest.raises(NotPermitted):
        commitments.report_progress(commitment, world["state"],
                                    progress=CommitmentProgress.done)


def test_a_link_other_than_http_is_refused_and_the_report_keeps_what_was_typed(app, world):
    review, first = world["review"], world["first"]
    commitment = commit(review, world["red_cross"], first)
    client = signed_in(app, world["red_cross"])
    response = submit(client, f"/reviews/{review.slug}/commitments/{commitment.id}", {
        "progress": "done", "text": "All done.", "link": "javascript:alert(1)"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A link starts with http:// or https://." in page and "All done." in page
    assert commitment.reports == []


def test_synthesised_recommendations_are_offered_when_the_synthesis_has_some(world):
    review = world["review"]
    assert all(target.key.startswith("r") for target in commitments.targets_of(review))
    db.session.add(SynthesisedRecommendation(review=review, number=1, title="Missing migrants",
                                             gcm_objectives=[8]))
    db.session.flush()
    first = commitments.targets_of(review)[0]
    assert (first.reference, first.title) == ("S1", "Missing migrants")
    made = commitments.make_commitment(review, world["state"], target=first.key,
                                       action="Publish a national protocol.",
                                       organisation="Government of Senegal")
    assert commitments.target_reference(made) == "S1"


def test_the_follow_up_counts_commitments_by_recommendation_country_and_group(app, world):
    review, first, second = world["review"], world["first"], world["second"]
    done = commit(review, world["red_cross"], first)
    commitments.report_progress(done, world["red_cross"], progress=CommitmentProgress.done)
    commit(review, world["state"], first, action="Create a missing migrants focal point.")
    commit(review, world["state"], second, action="Coordinate rescue at sea.")

    result = follow_up.follow_up_of(review)
    lines = {line.target.reference: line.tally for line in result.by_objective[8]}
    assert lines["dakar R1"].total == 2
    assert lines["dakar R1"].by_progress[CommitmentProgress.done] == 1
    assert lines["dakar R2"].by_progress[CommitmentProgress.not_started] == 1
    assert result.by_country["SN"].total == 3
    assert result.by_stakeholder_group[StakeholderGroup.member_state].total == 2
    page = app.test_client().get(f"/reviews/{review.slug}/follow-up").get_data(as_text=True)
    assert "Create a missing migrants focal point." in page and "3 commitments so far." in page


def test_the_exports_defuse_formulas(app, world):
    review, first = world["review"], world["first"]
    commit(review, world["red_cross"], first, action="=HYPERLINK(\"http://evil\")")
    client = app.test_client()
    response = client.get(f"/reviews/{review.slug}/commitments.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["action"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["organisation"] == "Senegalese Red Cross Society"
    assert rows[0]["progress"] == "not_started"
    workbook = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/reviews/{review.slug}/commitments.xlsx").data))
    sheet = workbook.active
    assert sheet.cell(row=2, column=6).value == "'=HYPERLINK(\"http://evil\")"
    assert sheet.cell(row=2, column=9).value == "Not started"


def test_a_private_review_hides_its_follow_up_and_exports(app, world, make_user):
    review = world["review"]
    review.is_public = False
    db.session.flush()
    client = signed_in(app, make_user(organisation="Elsewhere"))
    for path in ("follow-up", "commitments.csv", "commitments/new"):
        assert client.get(f"/reviews/{review.slug}/{path}").status_code == 404


def test_the_progress_reminder_goes_once_to_those_with_open_commitments(app, world):
    review, first = world["review"], world["first"]
    done = commit(review, world["red_cross"], first)
    commitments.report_progress(done, world["red_cross"], progress=CommitmentProgress.done)
    commit(review, world["state"], first, action="Create a focal point.")
    client = signed_in(app, world["secretariat"])
    path = f"/reviews/{review.slug}/follow-up"
    assert submit(client, f"/reviews/{review.slug}/progress-reports-due-on",
                  {"progress_reports_due_on": "2099-06-30"}, form_path=path).status_code == 302
    submit(client, f"/reviews/{review.slug}/progress-reminders", {}, form_path=path)
    page = submit(client, f"/reviews/{review.slug}/progress-reminders", {}, form_path=path,
                  follow_redirects=True).get_data(as_text=True)
    assert "The reminder has already been sent." in page
    mails = db.session.scalars(select(OutgoingMail)).all()
    assert [mail.recipient for mail in mails] == ["state@example.org"]
    assert "June 30, 2099" in mails[0].body and f"/reviews/{review.slug}/follow-up" in mails[0].body
    result = app.test_cli_runner().invoke(
        args=["reviews", "send-progress-reminders", "--base-url", "https://portal.example"])
    assert "No reminder to send." in result.output


def test_the_command_sends_the_reminder_of_a_review_with_a_date(app, world):
    review, first = world["review"], world["first"]
    commit(review, world["state"], first, action="Create a focal point.")
    follow_up.set_reports_due_on(review, world["secretariat"], date(2099, 6, 30))
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["reviews", "send-progress-reminders", "--base-url", "https://portal.example"])
    assert "reminder written to 1 person" in result.output
    mail = db.session.scalars(select(OutgoingMail)).one()
    assert f"https://portal.example/reviews/{review.slug}/follow-up" in mail.body


def test_a_date_that_is_not_one_is_refused_and_kept(app, world):
    review = world["review"]
    client = signed_in(app, world["secretariat"])
    response = submit(client, f"/reviews/{review.slug}/progress-reports-due-on",
                      {"progress_reports_due_on": "30/06/2025"},
                      form_path=f"/reviews/{review.slug}/follow-up")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not a valid date value." in page and 'value="30/06/2025"' in page
    assert review.progress_reports_due_on is None


def test_someone_outside_the_team_may_not_send_the_reminder(app, world):
    review = world["review"]
    follow_up.set_reports_due_on(review, world["secretariat"], date(2099, 6, 30))
    client = signed_in(app, world["state"])
    assert submit(client, f"/reviews/{review.slug}/progress-reminders", {},
                  form_path=f"/reviews/{review.slug}/follow-up").status_code == 403
    assert review.progress_reminder_sent_at is None
