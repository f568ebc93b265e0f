"""The result of a vote round in words, with the turnout it rests on, as every page, export
and outcome document states it: "Adopted by consensus: 18 of 21 voted, none opposed."

The figures come from a round's tally payload (``breakdown.tally_payload``): the votes cast
on devices and by show of hands, abstentions included, against the voting participants
present (kept when the round closed: ``voting.close_round``).
"""

from flask_babel import gettext as _
from flask_babel import ngettext

from recommendations.models import VoteRound


def rule_phrase(rule: str) -> str:
    return {"consensus": _("by consensus"),
            "two_thirds": _("by a two-thirds majority"),
            "simple_majority": _("by a simple majority")}[rule]


def reason_phrase(round_: VoteRound, tally: dict) -> str:
    """Why a round did not adopt, as a phrase."""
    if round_.result_reason == "no_quorum" and tally["turnout"].get("quorum"):
        return _("the quorum of %(quorum)d was not reached", quorum=tally["turnout"]["quorum"])
    return {
        "opposed": _("opposed under the consensus rule"),
        "short_of_two_thirds": _("short of a two-thirds majority"),
        "no_majority": _("no majority in favour"),
        "no_quorum": _("the quorum was not reached"),
        "stakeholder_group_opposed": _("a majority of one stakeholder group opposed"),
        "no_votes": _("no vote was cast"),
    }.get(round_.result_reason or "", round_.result_reason or "")


def cast_of(tally: dict) -> int:
    return sum(tally["counts"].values()) + sum(tally["in_room"].values())


def turnout_phrase(tally: dict) -> str:
    """"18 of 21 voted, none opposed"."""
    cast, present = cast_of(tally), tally["turnout"]["present"]
    oppose = tally["counts"]["oppose"] + tally["in_room"]["oppose"]
    if not oppose:
        return _("%(cast)d of %(present)d voted, none opposed", cast=cast, present=present)
    return ngettext("%(cast)d of %(present)d voted, %(num)d opposed",
                    "%(cast)d of %(present)d voted, %(num)d opposed", oppose,
                    cast=cast, present=present)


def result_sentence(round_: VoteRound, tally: dict) -> str:
    """The round's result (or, while open, its state) with its turnout, as one sentence."""
    turnout = turnout_phrase(tally)
    if round_.is_open:
        return _("Vote open: %(turnout)s so far.", turnout=turnout)
    if round_.adopted:
        return _("Adopted %(rule)s: %(turnout)s.", rule=rule_phrase(round_.rule.value),
                 turnout=turnout)
    return _("Not adopted, %(reason)s: %(turnout)s.", reason=reason_phrase(round_, tally),
             turnout=turnout)
