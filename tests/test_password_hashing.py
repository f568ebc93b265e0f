"""Passwords are kept as argon2id hashes made off the event loop; older hashes are replaced at
the next sign-in; when too many sign-ins wait to be checked, the person is told to try again
in a few seconds, in their language, with what they typed kept."""

import threading

import pytest
from werkzeug.security import generate_password_hash

from portal.accounts import passwords
from portal.accounts.operations import create_account
from portal.accounts.passwords import (
    PasswordHashingBusy,
    check_password,
    hash_password,
    unusable_password_hash,
)
from tests.conftest import PASSWORD, find_user, sign_in

#: OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
OWASP_ARGON2ID = "$argon2id$v=19$m=19456,t=2,p=1$"


def test_a_new_password_is_kept_as_an_argon2id_hash_at_owasps_minimum_or_above(app):
    with app.app_context():
        stored = hash_password("a long enough passphrase")
    assert stored.startswith(OWASP_ARGON2ID)
    assert "a long enough passphrase" not in stored
    with app.app_context():
        assert check_password(stored, "a long enough passphrase") == (True, False)
        assert check_password(stored, "a long enough passphrasE") == (False, False)


def test_no_password_opens_an_account_made_at_the_check_in_desk(app):
    stored = unusable_password_hash()
    with app.app_context():
        assert check_password(stored, "") == (False, False)
        assert check_password(stored, stored) == (False, False)


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256"])
def test_an_older_hash_still_signs_in_and_is_replaced_by_argon2id(app, client, session, method):
    create_account(email="older@example.org", name="Aminata Diallo", organisation="IFRC",
                   stakeholder_group="red_cross", country="SN",
                   password_hash=generate_password_hash(PASSWORD, method=method))
    session.commit()

    response = sign_in(client, "older@example.org")

    assert response.status_code == 302
    assert find_user("older@example.org").password_hash.startswith(OWASP_ARGON2ID)
    assert sign_in(app.test_client(), "older@example.org").status_code == 302


def test_a_wrong_password_leaves_an_older_hash_as_it_was(client, session):
    older = generate_password_hash(PASSWORD, method="scrypt")
    create_account(email="older@example.org", name="Aminata Diallo", organisation="IFRC",
                   stakeholder_group="red_cross", country="SN", password_hash=older)
    session.commit()

    response = sign_in(client, "older@example.org", password="not the password")

    assert response.status_code == 200
    assert find_user("older@example.org").password_hash == older


@pytest.fixture
def one_hash_at_a_time(app, monkeypatch):
    """One hashing thread and no queue, the thread kept busy until the test lets it go."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_THREADS", 1)
    monkeypatch.setitem(app.config, "PASSWORD_HASH_QUEUE", 0)
    release, started = threading.Event(), threading.Event()

    def occupy():
        with app.app_context():
            passwords._pool().run(lambda: (started.set(), release.wait(30)))

    worker = threading.Thread(target=occupy)
    worker.start()
    started.wait(10)
    yield
    release.set()
    worker.join()


def test_a_sign_in_beyond_the_queue_is_told_to_try_again_in_its_language(
        client, make_user, one_hash_at_a_time):
    make_user(email="delegate@example.org")

    response = sign_in(client, "delegate@example.org", headers={"Accept-Language": "fr"})

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    page = response.get_data(as_text=True)
    assert "Beaucoup de personnes se connectent en ce moment" in page
    assert 'value="delegate@example.org"' in page
    assert find_user("delegate@example.org").last_signed_in_at is None


def test_the_queue_refuses_at_once_and_says_how_long_to_wait(app, one_hash_at_a_time):
    with app.app_context(), pytest.raises(PasswordHashingBusy) as busy:
        hash_password("another passphrase")
    assert busy.value.retry_after >= 1
