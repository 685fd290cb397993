"""Each child's own words: the referral's reasons, the child's and carers' views, goals in
the voice of whoever set them, the worker's formulation narrative and the reviewer's comment."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from ..model.case import Case, years_between
from ..words import uk_date
from .children import _BEHAVIOUR_EVIDENCE, ever_in_care
from .questionnaires import _GOALS

_NARRATIVES = (
    "Early neglect and the loss of a parent left this child expecting adults to be unreliable. The recent move "
    "has revived that fear, and the behaviour at bedtime and in school reads as an attempt to stay safe. The "
    "carers' warmth and the stable school place are the strongest protective factors.",
    "This young person has learned that distress is only noticed when it is loud. Repeated placement endings "
    "keep the pattern going; a carer who can stay curious rather than reactive is the route to change.",
    "Relational trauma before care shapes how this child reads adults' intentions. Life story work is needed so "
    "the child can make sense of the moves; until then, the focus is on predictability and co-regulation.",
)

# --- each child's own story: text written from the child's record, not canned ----------------
# A separate random stream per case (seeded by the demo seed and the case id), so the words
# vary without changing which children, dates and scores a seed produces.

_GOALS_CARER = (
    "For {obj} to settle at bedtime without us",
    "That {sub} tells us when {sub} is worried",
    "For {obj} to stay in class for the whole lesson",
    "For {obj} to have friends round after school",
    "That {sub} can be cross without hurting anyone",
    "For {obj} to know {pos} own story",
)
_PRONOUNS = {"female": ("she", "her", "her"), "male": ("he", "him", "his")}
_RELATIONAL = {"physical_abuse", "emotional_abuse", "sexual_abuse", "neglect", "domestic_abuse"}
_CARER_WORDS = {
    "foster_carer": "the foster carer",
    "kinship_carer": "the kinship carer",
    "residential_staff": "the staff at the home",
    "birth_parent": "the parent",
}


# What a carer would call each presenting behaviour, in their own words.
_CARER_SAYS = {
    "extreme_dysregulation": "the meltdowns",
    "acting_out_aggression": "the hitting out",
    "internalising_withdrawal": "how quiet and shut away it gets",
    "regulatory_eating": "the food hiding",
    "regulatory_toileting": "the wetting",
    "regulatory_sleep": "bedtime and the night waking",
    "self_harm": "the cutting",
    "harmful_sexual_behaviour": "the behaviour with the younger ones",
    "attention_concentration_impulsivity": "never being able to settle",
}


# Each legal status as a sentence says it (issue 21: "she became child protection plan
# since ..."): how a child came to it, and how they have been in it since.
STATUS_BECAME = {
    "looked_after": "came into care",
    "kinship_care": "went to live in kinship care",
    "child_protection_plan": "was made subject to a child protection plan",
    "supervision_order": "was made subject to a supervision order",
    "child_in_need": "was made subject to a child in need plan",
    "care_leaver": "became a care leaver",
}
STATUS_SINCE = {
    "looked_after": "looked after",
    "kinship_care": "in kinship care",
    "child_protection_plan": "on a child protection plan",
    "supervision_order": "under a supervision order",
    "child_in_need": "on a child in need plan",
    "care_leaver": "a care leaver",
}


def _pronouns(sex: str) -> tuple[str, str, str]:
    return _PRONOUNS.get(sex, ("they", "them", "their"))


def _words(terms: list[str], table: dict[str, str] | None = None) -> str:
    from ..model.vocabulary import vocabulary

    voc = vocabulary()
    names = [
        (table or {}).get(t)
        or voc.label(
            "presenting_behaviour" if t in _BEHAVIOUR_EVIDENCE else "history_factor", t
        ).lower()
        for t in terms
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _personalise(record: dict[str, Any], as_of: date, seed: int) -> None:
    """Make a generated record read as one child's: the referral's reasons, the sources
    of what was reported (plausible for the age and the placement), the child's and
    carers' words, and goals in the voice of whoever set them."""
    local = random.Random(f"{seed}:{record['case_id']}")
    child, ref, scr = record["child"], record["referral"], record.get("screening")
    age = years_between(child["date_of_birth"], ref["received"])
    sub, obj, pos = _pronouns(child.get("sex", ""))
    placement = child["placement"]
    caregiver = child["caregiver"]["relationship"]
    recent = [b["date"] for b in placement.get("breakdowns", []) if b["date"] <= ref["received"]]
    behaviours = [b["behaviour"] for b in scr["presenting_behaviours"]] if scr else []
    who = "the young person" if age >= 11 else "the child"
    since = f" since the placement ended on {uk_date(max(recent))}" if recent else ""
    worry = (
        f"report {_words(behaviours[:2])}{since}"
        if behaviours
        else f"are worried about how {sub} is coping{since}"
    )
    ref["reasons"] = local.choice(
        (
            f"Carers and the social worker {worry}; advice sought on therapeutic support for {who}.",
            f"Those around {obj} {worry}. A consultation on how best to help is requested.",
            f"Referred because adults around {obj} {worry}; the care plan asks for a therapeutic view.",
        )
    )
    if not scr:
        return
    for item in scr["presenting_behaviours"]:
        sources = []
        for s in item["sources"]:
            if s == "school" and age < 4:
                s = "carer"  # no school yet
            if s == "child" and age < 7:
                s = "carer"  # a young child's own account is heard through the adults
            if s == "carer" and caregiver == "residential_staff":
                s = "residential_staff"
            if s == "carer" and caregiver == "birth_parent":
                s = "parent"
            if s not in sources:
                sources.append(s)
        item["sources"] = sources
    if age < 4:
        scr["child_voice"] = ""
    elif age < 11:
        scr["child_voice"] = local.choice(
            (
                "I like it here. I don't like bedtime.",
                "I get really cross and then I feel bad.",
                f"I want to see my {local.choice(('brother', 'sister', 'nan'))} more.",
                "School is OK when my teacher is there.",
            )
        )
    elif age < 18:
        scr["child_voice"] = local.choice(
            (
                "I don't want to talk about before.",
                "Nobody listens until I kick off.",
                "I want to stay here till I'm 18.",
                "I'm fine. Everyone else is the problem.",
            )
        )
    else:
        scr["child_voice"] = local.choice(
            ("I want help to manage on my own.", "I don't want to be passed around again.")
        )
    if caregiver in _CARER_WORDS and caregiver != "none":
        # A carer speaks of what they see, not of the category it is filed under.
        focus = (
            _CARER_SAYS.get(behaviours[0], "the changes in mood")
            if behaviours
            else "the changes in mood"
        )
        scr["carer_views"] = local.choice(
            (
                f"We are committed to {obj}, but {focus} wears us down.",
                f"We want to understand what sits behind {focus}.",
                f"{sub.capitalize()} is settling with us; {focus} is the worry.",
            )
        )
    else:
        scr["carer_views"] = ""
    for g in record.get("goals", []):
        gbo = [m for m in record.get("measures", []) if m["measure"] == "gbo"]
        if gbo and gbo[0]["informant"] == "parent" and g["description"] in _GOALS:
            g["description"] = _GOALS_CARER[_GOALS.index(g["description"])].format(
                sub=sub, obj=obj, pos=pos
            )


def _narrative(case: Case, variant: int) -> str:
    """The worker's formulation in a few sentences, from this child's own record."""
    scr = case.screening
    child = case.child
    sub, _obj, pos = _pronouns(child.sex)
    factors = [h.factor for h in scr.history_factors] if scr else []
    behaviours = [b.behaviour for b in scr.presenting_behaviours] if scr else []
    relational = [f for f in factors if f in _RELATIONAL]
    lead = "this young person" if child.age_on(case.referral.received) >= 11 else "this child"
    parts = []
    in_care = ever_in_care(child)
    if relational:
        # "before care" only of a child who has been in care; a child at home lives with it.
        when = (
            "before care left"
            if in_care
            else f"in the family {'has' if len(relational) == 1 else 'have'} left"
        )
        parts.append(
            f"{_words(relational).capitalize()} {when} {lead} expecting adults to be unpredictable or unsafe."
        )
    elif factors:
        parts.append(
            f"{_words(factors).capitalize()} taught {lead} that the people who matter can disappear."
        )
    placement = child.placement
    recent = (
        [
            b.date
            for b in (placement.breakdowns if placement else [])
            if b.date <= (scr.completed or scr.started or case.referral.received)
        ]
        if scr
        else []
    )
    if recent:
        parts.append(f"The placement ending on {uk_date(max(recent))} revived that fear.")
    elif placement is not None and placement.moves_last_12_months:
        parts.append(
            f"{placement.moves_last_12_months} move{'s' if placement.moves_last_12_months != 1 else ''} this year kept it alive."
        )
    else:
        # Written for this child: what the record dates, not a sentence every file shares.
        status = child.legal_status
        years = max(1, case.referral.received.year - status.start.year)
        since = f"{STATUS_SINCE[status.status]} since {uk_date(status.start)}"
        became = f"{STATUS_BECAME[status.status]} on {uk_date(status.start)}"
        relationship = child.caregiver.relationship if child.caregiver is not None else "none"
        adults = (
            f"{pos} parents"
            if relationship == "birth_parent"
            else f"{pos} carers"
            if relationship != "none"
            else "those around " + _obj
        )
        where = (
            _label_of("placement_type", placement.type).lower()
            if placement is not None
            else "no settled home"
        )
        parts.append(
            (
                f"No single event is recorded before the referral; {sub} has been {since}, and in {where} for "
                f"{max(1, (case.referral.received - placement.start).days // 30) if placement is not None else 0} months, and the worries have grown over "
                f"{years} year{'s' if years != 1 else ''} rather than from one change."
            )
            if variant % 2 == 0
            else (
                f"What changed is not one event: {adults} date the worries to the months after {sub} "
                f"{became}, and they have gathered since."
            )
        )
    if behaviours:
        reading = (
            "attempts to stay safe",
            "the way distress gets noticed",
            "signs of a body still on alert",
        )[variant % 3]
        parts.append(f"{_words(behaviours[:2]).capitalize()} read as {reading}.")
    carer = child.caregiver
    strengths = [s for s in (scr.strengths if scr else []) if s.strip()]
    strength = f" ({strengths[0][:1].lower() + strengths[0][1:]})" if strengths else ""
    adult = child.age_on(case.referral.received) >= 18
    wanted = carer is not None and (not adult or carer.young_person_wants_involved is True)
    if carer is not None and carer.relationship in _CARER_WORDS and carer.can_take_part and wanted:
        parts.append(
            f"The commitment of {_CARER_WORDS[carer.relationship]} is the route to change; {pos} strengths{strength} are the base."
        )
    elif strengths and adult:
        wants = "want" if sub == "they" else "wants"
        parts.append(
            f"{sub.capitalize()} {wants} to manage on {pos} own terms; the work builds on {pos} strengths{strength}."
        )
    elif strengths:
        parts.append(
            f"No caregiver can take part yet, so the work builds on {pos} strengths{strength}."
        )
    if scr is not None and scr.life_story_work == "not_started":
        parts.append(f"Life story work needs to begin so {sub} can make sense of {pos} history.")
    return " ".join(parts)


def _label_of(list_name: str, term: str) -> str:
    from ..model.vocabulary import vocabulary

    return vocabulary().label(list_name, term)


def _signoff_comment(case: Case, approve: bool, variant: int) -> str:
    """A reviewer's comment that engages with this child's formulation."""
    scr = case.screening
    behaviours = [b.behaviour for b in scr.presenting_behaviours] if scr else []
    focus = _words(behaviours[:1]) if behaviours else "the presenting difficulties"
    if approve:
        return (
            f"Clear and child-centred; the link between the history and {focus} is well made.",
            f"Agreed. Review {focus} at the three-month measures.",
            "A thoughtful formulation; the protective factors are well evidenced.",
        )[variant % 3]
    school = any("school" in b.sources for b in (scr.presenting_behaviours if scr else []))
    where = "at school" if school else "at home"
    return (
        f"Please say more about what keeps {focus} going {where}.",
        f"The perpetuating factors need more: what maintains {focus} now?",
    )[variant % 2]


def _override_reason(case: Case, day: date) -> str:
    """Why the worker moves the stage on, from the record."""
    placement = case.child.placement
    months = max(0, (day - placement.start).days // 30) if placement else 0
    if placement is not None and months >= 3:
        return f"The placement has held for {months} months and the carer is engaged; safety is established enough to start on relationships."
    return "The network is settled around the child since the screening began; safety is established enough to start on relationships."
