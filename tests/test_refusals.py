"""A refusal rolls back what the refused request did, whatever the code that caught it does
next: nothing half done is kept, and what must be kept despite the refusal is."""

import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import func, select

from consultations import discussion
from consultations.models import Comment, Role
from portal import refusals
from portal.accounts.models import SignInFailure
from portal.extensions import db
from tests.conftest import sign_in, submit


@pytest.fixture
def thread(session, make_consultation, make_user, register):
    consultation = make_consultation()
    facilitator = make_user(email="facilitator@example.org")
    register(facilitator, consultation, Role.facilitator)
    participant = make_user(email="participant@example.org")
    register(participant, consultation, Role.participant)
    thread = discussion.add_thread(consultation, facilitator, "Contact points")
    session.commit()
    return thread


def test_a_comment_refused_after_it_was_flushed_is_not_stored(client, session, thread,
                                                               monkeypatch):
    def post_then_refuse(thread, author, body, parent=None):
        comment = Comment(thread=thread, author_id=author.id, body=body)
        db.session.add(comment)
        db.session.flush()
        raise discussion.CommentRefused("This thread takes no more comments today.")

    monkeypatch.setattr(discussion, "post_comment", post_then_refuse)
    sign_in(client, "participant@example.org")
    path = f"/c/{thread.consultation.slug}/threads/{thread.id}"

    response = submit(client, f"{path}/comments", {"body": "Half stored?"}, form_path=path)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This thread takes no more comments today." in page
    # The text typed is kept in the form, and nowhere else: the page shows no half-stored
    # comment in the thread.
    assert page.count("Half stored?") == 1
    assert session.scalar(select(func.count(Comment.id))) == 0


def test_a_transaction_in_which_a_refusal_was_raised_cannot_be_committed(session, thread):
    db.session.add(Comment(thread=thread, author_id=None, body="Half done"))
    db.session.flush()
    discussion.CommentRefused("Refused after the flush.")

    with pytest.raises(refusals.RefusedTransactionCommitted):
        db.session.commit()
    db.session.rollback()
    assert session.scalar(select(func.count(Comment.id))) == 0
    # The next transaction is a fresh one.
    db.session.add(Comment(thread=thread, author_id=None, body="Said later"))
    db.session.commit()
    assert session.scalar(select(func.count(Comment.id))) == 1


def test_a_failed_sign_in_is_counted_although_the_sign_in_is_refused(client, session, thread):
    response = sign_in(client, "participant@example.org", "not the password")

    assert "The e-mail address or the password is not right." in response.get_data(as_text=True)
    assert session.scalar(select(func.count(SignInFailure.id))) == 1


def test_every_refusal_derives_from_the_one_base_class():
    found = []
    for package_name in ("portal", "consultations", "recommendations"):
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".migrations" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for name, value in inspect.getmembers(module, inspect.isclass):
                if name.endswith("Refused") and value.__module__ == module.__name__:
                    found.append(value)
                    assert issubclass(value, refusals.Refused), value
    assert len(found) >= 12
