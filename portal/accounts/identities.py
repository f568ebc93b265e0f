"""What an identity from an organisation's provider (OpenID Connect) signs in to.

An identity already linked signs in to its account, found by the provider's issuer and the
person's subject there, whatever its e-mail address has become. Otherwise it is linked to the
account with its e-mail address, only if the provider says the address is verified (someone
who could make an unverified address appear in a token would take the account over), or a
new account is made once the person has said what the token does not tell (organisation,
stakeholder group, country). Local passwords keep working for every account.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import LinkedIdentity, StakeholderGroup, User
from portal.accounts.openid import SingleSignOnRefused, VerifiedIdentity
from portal.accounts.operations import (
    AccountExists,
    create_account,
    find_account,
    unusable_password_hash,
)
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db


class UnverifiedEmail(SingleSignOnRefused):
    """The provider gave no e-mail address, or did not say that it checked it."""

    code = "unverified_email"


def linked_account(identity: VerifiedIdentity) -> User | None:
    link = db.session.scalar(select(LinkedIdentity).where(
        LinkedIdentity.issuer == identity.issuer, LinkedIdentity.subject == identity.subject))
    if link is None:
        return None
    link.last_used_at = utcnow()
    return link.user


def account_for(identity: VerifiedIdentity, *, provider_label: str) -> User | None:
    """The account this identity signs in to, linking it by its verified e-mail address if
    need be; None when a new account is to be made. Raises UnverifiedEmail."""
    user = linked_account(identity)
    if user is not None:
        return user
    if identity.email is None or not identity.email_verified:
        raise UnverifiedEmail(_(
            "%(provider)s did not confirm that your e-mail address is verified, so the portal "
            "cannot tell which account is yours. Verify your address with %(provider)s, or "
            "sign in with your e-mail address and password.", provider=provider_label))
    user = find_account(identity.email)
    if user is not None:
        link_identity(user, identity)
    return user


def link_identity(user: User, identity: VerifiedIdentity) -> LinkedIdentity:
    link = LinkedIdentity(user_id=user.id, issuer=identity.issuer, subject=identity.subject,
                          email=identity.email or user.email)
    db.session.add(link)
    db.session.flush()
    record_event("account.identity_linked", actor=user, target=user, issuer=identity.issuer)
    return link


def create_account_for(identity: VerifiedIdentity, *, name: str, organisation: str,
                       stakeholder_group: StakeholderGroup | str, country: str,
                       preferred_locale: str) -> User:
    """Make the account of a verified identity that has none, linked to it (it has no
    password: its owner signs in through the provider, or sets one by a reset link). If an
    account has the address by now, the identity is linked to that one instead."""
    if identity.email is None or not identity.email_verified:
        raise UnverifiedEmail()
    try:
        user = create_account(
            email=identity.email, password_hash=unusable_password_hash(), name=name,
            organisation=organisation, stakeholder_group=stakeholder_group, country=country,
            preferred_locale=preferred_locale)
    except AccountExists:
        user = find_account(identity.email)
    if linked_account(identity) is None:
        link_identity(user, identity)
    return user
