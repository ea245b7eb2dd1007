"""What a person in a crisis reads: short, kind and exact, in the language they wrote in.

Every text of one language sits in one `Wording`, ready to move to a message catalog; a
language is added by adding its wording here and its cues in `cues.yaml`. The national lines
are fixed; the emergency and security numbers come from settings, and the EAP's and HR's from
the knowledge base (`skills.safety.contacts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
        Kind.SELF_HARM: "I'm really glad you told me. You don't have to carry this alone.",
        Kind.VIOLENCE: "I'm sorry this happened to you. Your safety comes first.",
        Kind.DOMESTIC_VIOLENCE: "I'm so sorry. You deserve to be safe, at home and at work.",
        Kind.SEXUAL: "I'm so sorry. What happened is not your fault.",
        Kind.ACTIVE_THREAT: "Get yourself safe first.",
    },
    danger={
        Kind.SELF_HARM: (
            "If you might act on these thoughts now, call **{emergency}** or go to the nearest "
            "emergency department."
        ),
        Kind.VIOLENCE: "If you are in danger now, call {security}, or **{emergency}**.",
        Kind.DOMESTIC_VIOLENCE: "If you are in danger now, call **{emergency}**.",
        Kind.SEXUAL: "If you are in danger now, call {security}, or **{emergency}**.",
        Kind.ACTIVE_THREAT: "Call **{emergency}** now, then {security}.",
    },
    steps={
        Kind.SELF_HARM: (
            "Call or text **988**, the Suicide & Crisis Lifeline, any time, day or night.",
        ),
        Kind.VIOLENCE: ("If you are hurt, get checked today, even if it seems minor.",),
        Kind.DOMESTIC_VIOLENCE: (
            "National Domestic Violence Hotline, free and confidential, any time: call "
            "**1-800-799-7233** or text **START** to **88788**.",
            "At work, {security} can walk you to your car or step in if someone comes here.",
        ),
        Kind.SEXUAL: (
            "RAINN National Sexual Assault Hotline, free and confidential, any time: "
            "**1-800-656-4673**.",
        ),
        Kind.ACTIVE_THREAT: (
            "If you can't get out: hide, lock or block the door, and silence your phone.",
        ),
    },
    security_named="hospital security at **{number}**",
    security_unnamed="hospital security",
    eap="The EAP is free and confidential, any time: **{number}**.",
    hr_named="HR is not told about this message. If you want HR's help, call {number} "
    "whenever you choose.",
    hr_unnamed="HR is not told about this message. If you want HR's help, you can reach "
    "them whenever you choose.",
    privacy="I don't keep what you wrote.",
    leave="When you're ready, you can also ask me about leave and time off.",
    report="When you're ready, you can also ask me how to report what happened.",
)

SPANISH = Wording(
    opening={
        Kind.SELF_HARM: "Gracias por contármelo. No tiene que pasar por esto a solas.",
        Kind.VIOLENCE: "Siento mucho lo que le pasó. Su seguridad es lo primero.",
        Kind.DOMESTIC_VIOLENCE: "Lo siento mucho. Usted merece estar a salvo, en casa y en "
        "el trabajo.",
        Kind.SEXUAL: "Lo siento mucho. Lo que pasó no es su culpa.",
        Kind.ACTIVE_THREAT: "Primero póngase a salvo.",
    },
    danger={
        Kind.SELF_HARM: (
            "Si cree que puede hacerse daño ahora, llame al **{emergency}** o vaya a la sala "
            "de emergencias más cercana."
        ),
        Kind.VIOLENCE: "Si está en peligro ahora, llame a {security}, o al **{emergency}**.",
        Kind.DOMESTIC_VIOLENCE: "Si está en peligro ahora, llame al **{emergency}**.",
        Kind.SEXUAL: "Si está en peligro ahora, llame a {security}, o al **{emergency}**.",
        Kind.ACTIVE_THREAT: "Llame al **{emergency}** ahora, y después a {security}.",
    },
    steps={
        Kind.SELF_HARM: (
            "Llame o envíe un mensaje de texto al **988**, la Línea de Prevención del Suicidio "
            "y Crisis, a cualquier hora (marque 2 para español).",
        ),
        Kind.VIOLENCE: ("Si está herido o herida, hágase revisar hoy, aunque parezca poca cosa.",),
        Kind.DOMESTIC_VIOLENCE: (
            "Línea Nacional sobre la Violencia Doméstica, gratuita y confidencial, a cualquier "
            "hora: llame al **1-800-799-7233** o envíe **START** por mensaje de texto al "
            "**88788**.",
            "En el trabajo, {security} puede acompañarle a su carro o intervenir si alguien "
            "viene aquí.",
        ),
        Kind.SEXUAL: (
            "Línea Nacional de Agresión Sexual de RAINN, gratuita y confidencial, a cualquier "
            "hora: **1-800-656-4673**.",
        ),
        Kind.ACTIVE_THREAT: (
            "Si no puede salir: escóndase, cierre o bloquee la puerta y silencie su teléfono.",
        ),
    },
    security_named="seguridad del hospital al **{number}**",
    security_unnamed="seguridad del hospital",
    eap="El programa de ayuda al empleado (EAP) es gratuito y confidencial, a cualquier "
    "hora: **{number}**.",
    hr_named="Recursos Humanos no sabe nada de este mensaje. Si quiere su ayuda, llame al "
    "{number} cuando usted decida.",
    hr_unnamed="Recursos Humanos no sabe nada de este mensaje. Si quiere su ayuda, puede "
    "contactarlos cuando usted decida.",
    privacy="No guardo lo que escribió.",
    leave="Cuando esté listo o lista, también puede preguntarme sobre permisos y días libres.",
    report="Cuando esté listo o lista, también puede preguntarme cómo reportar lo que pasó.",
)

WORDINGS: Mapping[str, Wording] = {"en": ENGLISH, "es": SPANISH}
"""Every language's texts, by the code of its section in `cues.yaml`."""


def crisis_text(crisis: Crisis, resources: Resources, *, kept: bool = False) -> str:
    """The reply to a crisis message: what to do now, who to call, and that it stays private.
    `kept`: the words go where the person sent them (an idea, a survey comment), so the reply
    does not say they are not kept."""
    wording = WORDINGS.get(crisis.language, ENGLISH)
    kind = crisis.kind
    security = (
        wording.security_named.format(number=resources.security)
        if resources.security
        else wording.security_unnamed
    )
    kinds = (kind, *crisis.also)
    danger = wording.danger[kind]
    own = [step for each in kinds for step in wording.steps[each]]
    # The lifeline leads for self-harm; for the others, what to do in danger right now.
    ordered = [*own, danger] if kind is Kind.SELF_HARM else [danger, *own]
    steps = list(
        dict.fromkeys(
            step.format(emergency=resources.emergency, security=security) for step in ordered
        )
    )
    if resources.eap:
        steps.append(wording.eap.format(number=resources.eap))
    lines = [wording.opening[kind], *(f"- {step}" for step in steps)]
    if kinds != (Kind.ACTIVE_THREAT,):
        hr = wording.hr_named.format(number=resources.hr) if resources.hr else wording.hr_unnamed
        lines.append(hr if kept else f"{wording.privacy} {hr}")
    if Kind.DOMESTIC_VIOLENCE in kinds:
        lines.append(wording.leave)
    if Kind.VIOLENCE in kinds:
        lines.append(wording.report)
    return "\n".join(lines)
