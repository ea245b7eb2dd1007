"""What a person in a crisis reads: short, kind and exact, in their language.

The English texts sit in one `Wording` and are catalog messages: their translations are in the
message catalogs, like every other text. A language is added by adding its catalog and its cues
in `cues.yaml`. The national lines are fixed; the emergency and security numbers come from
settings, and the EAP's and HR's from the knowledge base (`skills.safety.contacts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import N_, Translator
from skills.safety.detector import Crisis, Kind


@dataclass(frozen=True)
class Resources:
    """The numbers this hospital gives: None where it gives none."""

    emergency: str
    security: str | None = None
    eap: str | None = None
    hr: str | None = None


@dataclass(frozen=True)
class Wording:
    opening: Mapping[Kind, str]
    danger: Mapping[Kind, str]
    """What to do if in danger right now: said once, for the likeliest kind."""
    steps: Mapping[Kind, tuple[str, ...]]
    """The kind's own resources, for each kind the message may be."""
    security_named: str  # hospital security with its number
    security_unnamed: str  # hospital security when no number is configured
    eap: str
    hr_named: str
    hr_unnamed: str
    privacy: str
    leave: str  # for domestic violence: leave can be asked about too
    report: str  # for violence at work: how to report it can be asked about too


ENGLISH = Wording(
    opening={
        Kind.SELF_HARM: N_("I'm really glad you told me. You don't have to carry this alone."),
        Kind.VIOLENCE: N_("I'm sorry this happened to you. Your safety comes first."),
        Kind.DOMESTIC_VIOLENCE: N_("I'm so sorry. You deserve to be safe, at home and at work."),
        Kind.SEXUAL: N_("I'm so sorry. What happened is not your fault."),
        Kind.ACTIVE_THREAT: N_("Get yourself safe first."),
    },
    danger={
        Kind.SELF_HARM: N_(
            "If you might act on these thoughts now, call **{emergency}** or go to the nearest "
            "emergency department."
        ),
        Kind.VIOLENCE: N_("If you are in danger now, call {security}, or **{emergency}**."),
        Kind.DOMESTIC_VIOLENCE: N_("If you are in danger now, call **{emergency}**."),
        Kind.SEXUAL: N_("If you are in danger now, call {security}, or **{emergency}**."),
        Kind.ACTIVE_THREAT: N_("Call **{emergency}** now, then {security}."),
    },
    steps={
        Kind.SELF_HARM: (
            N_("Call or text **988**, the Suicide & Crisis Lifeline, any time, day or night."),
        ),
        Kind.VIOLENCE: (N_("If you are hurt, get checked today, even if it seems minor."),),
        Kind.DOMESTIC_VIOLENCE: (
            N_(
                "National Domestic Violence Hotline, free and confidential, any time: call "
                "**1-800-799-7233** or text **START** to **88788**."
            ),
            N_("At work, {security} can walk you to your car or step in if someone comes here."),
        ),
        Kind.SEXUAL: (
            N_(
                "RAINN National Sexual Assault Hotline, free and confidential, any time: "
                "**1-800-656-4673**."
            ),
        ),
        Kind.ACTIVE_THREAT: (
            N_("If you can't get out: hide, lock or block the door, and silence your phone."),
        ),
    },
    security_named=N_("hospital security at **{number}**"),
    security_unnamed=N_("hospital security"),
    eap=N_("The EAP is free and confidential, any time: **{number}**."),
    hr_named=N_(
        "HR is not told about this message. If you want HR's help, call {number} "
        "whenever you choose."
    ),
    hr_unnamed=N_(
        "HR is not told about this message. If you want HR's help, you can reach "
        "them whenever you choose."
    ),
    privacy=N_("I don't keep what you wrote."),
    leave=N_("When you're ready, you can also ask me about leave and time off."),
    report=N_("When you're ready, you can also ask me how to report what happened."),
)


def crisis_text(crisis: Crisis, resources: Resources, t: Translator, *, kept: bool = False) -> str:
    """The reply to a crisis message in `t`'s language: what to do now, who to call, and that
    it stays private. `kept`: the words go where the person sent them (an idea, a survey
    comment), so the reply does not say they are not kept."""
    wording = ENGLISH
    kind = crisis.kind
    security = (
        t(wording.security_named, number=resources.security)
        if resources.security
        else t(wording.security_unnamed)
    )
    kinds = (kind, *crisis.also)
    danger = wording.danger[kind]
    own = [step for each in kinds for step in wording.steps[each]]
    # The lifeline leads for self-harm; for the others, what to do in danger right now.
    ordered = [*own, danger] if kind is Kind.SELF_HARM else [danger, *own]
    steps = list(
        dict.fromkeys(t(step, emergency=resources.emergency, security=security) for step in ordered)
    )
    if resources.eap:
        steps.append(t(wording.eap, number=resources.eap))
    lines = [t(wording.opening[kind]), *(f"- {step}" for step in steps)]
    if kinds != (Kind.ACTIVE_THREAT,):
        hr = t(wording.hr_named, number=resources.hr) if resources.hr else t(wording.hr_unnamed)
        lines.append(hr if kept else f"{t(wording.privacy)} {hr}")
    if Kind.DOMESTIC_VIOLENCE in kinds:
        lines.append(t(wording.leave))
    if Kind.VIOLENCE in kinds:
        lines.append(t(wording.report))
    return "\n".join(lines)
