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


def rule_statement(rule: str, stakeholder_rule: bool = False) -> str:
    """The adoption rule a round was decided by, in words, as the outcome document states it
    with each result (``adoption`` decides by the same rules)."""
    sentence = {
        "consensus": _("Adoption rule: consensus, adopted when nobody opposes."),
        "two_thirds": _("Adoption rule: a two-thirds majority, adopted when at least two "
                        "thirds of the votes cast, abstentions aside, are in favour."),
        "simple_majority": _("Adoption rule: a simple majority, adopted when more than half "
                             "of the votes cast, abstentions aside, are in favour."),
    }[rule]
    if stakeholder_rule:
        sentence += " " + _("It is not adopted when a majority of any one stakeholder group "
                            "opposes.")
    return sentence


def turnout_statement(tally: dict) -> str:
    """The turnout a closed round's result rests on, with its quorum, as the outcome document
    states it: the votes on devices against the voting participants present, the show of
    hands, the votes cast against the quorum, and a low turnout said as such (fewer than half
    as many votes cast as voting participants present)."""
    turnout = tally["turnout"]
    present, quorum, cast = turnout["present"], turnout.get("quorum"), cast_of(tally)
    in_room = sum(tally["in_room"].values())
    sentences = [_("%(voted)d of the %(present)d voting participants present voted on a "
                   "device.", voted=turnout["voted"], present=present)]
    if in_room:
        sentences.append(ngettext("%(num)d vote was counted by show of hands in the room.",
                                  "%(num)d votes were counted by show of hands in the room.",
                                  in_room))
    if quorum is None:
        sentences.append(_("Votes cast: %(cast)d; no quorum was set.", cast=cast))
    elif cast >= quorum:
        sentences.append(_("Votes cast: %(cast)d, for a quorum of %(quorum)d: the quorum was "
                           "reached.", cast=cast, quorum=quorum))
    else:
        sentences.append(_("Votes cast: %(cast)d, for a quorum of %(quorum)d: the quorum was "
                           "not reached.", cast=cast, quorum=quorum))
    if present and 2 * cast < present:
        sentences.append(_("This is a low turnout: fewer votes were cast than half the voting "
                           "participants present."))
    return " ".join(sentences)
