"""Pulse surveys for staff who read Spanish: every word of the survey and of what the bot says
about it in Spanish, answers counted together whatever the language they were given in, and
survey definitions that carry their own Spanish text."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.replies import Buttons, Form, Image, Reply, Text
from bot.runtime import Runtime
from skills.pulse.charts import distribution_png
from skills.pulse.definition_files import check_text, load_template, template_names
from skills.pulse.report import render_results
from skills.pulse.results import ResponseData, Results, RoundData, compute
from storage.people import Profile
from tests.cli import run
from tests.clocks import START, clocked_runtime, recording_messenger  # noqa: F401
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command
from tests.spanish import english_on_screen, english_words, screen_text
from tests.test_pulse import answer_all, choices, deliver, hr, pulse, tick

NEW_YORK = ZoneInfo("America/New_York")
COMMENT = "Faltó personal en el turno de noche del martes."


async def spanish_staff(rt: Runtime, count: int, prefix: str = "E") -> list[str]:
    """Staff in 5 North who chose Spanish (`idioma español`)."""
    users = [f"{prefix}{n}" for n in range(count)]
    for user in users:
        await rt.services.people.resolve(
            Profile("console", TENANT, user, user, timezone="America/New_York", unit="5 North")
        )
        await rt.router.dispatch(command("idioma", "español", user=user))
    return users


async def english_staff(rt: Runtime, count: int, prefix: str = "N") -> list[str]:
    users = [f"{prefix}{n}" for n in range(count)]
    for user in users:
        await rt.services.people.resolve(
            Profile("console", TENANT, user, user, timezone="America/New_York", unit="5 North")
        )
    return users


def buttons(reply: Reply) -> list[str]:
    return [b.label for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons]


async def test_a_spanish_speaker_walks_a_whole_survey_in_spanish(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    ana, luis, *others = await spanish_staff(rt, 6)
    await pulse(rt, "create weekly-pulse to unit '5 North' now")
    await deliver(rt)
    [invite] = fake.direct_to(ana)
    seen = [invite]
    assert [c.label for c in choices(invite)][2] == "¿Pudo tomar sus descansos?"
    assert [o.label for o in choices(invite)[2].options][1] == "En la mayoría de los turnos"
    assert note(invite).startswith("Encuesta anónima: sus respuestas se guardan sin su nombre")

    first = choices(invite)[0]
    [partial] = await rt.router.dispatch(action(first.action_id, first.options[3].value, ana))
    assert "1 de 3 respondidas." in english_free(partial, seen)
    thanks = await answer_all(rt, invite, ana, pick=1)
    assert "**¡Gracias!**" in english_free(thanks, seen)
    assert buttons(thanks) == ["Cambiar mis respuestas", "Agregar un comentario"]
    last = choices(invite)[-1]
    [again] = await rt.router.dispatch(action(last.action_id, last.options[1].value, ana))
    assert again.fallback.startswith("Esa respuesta ya quedó registrada")
    seen.append(again)

    [form_reply] = await rt.router.dispatch(action("pulse.comment", "1", user=ana))
    [form] = [b for b in form_reply.blocks if isinstance(b, Form)]
    assert form.inputs[0].label.startswith("¿Hay algo que quiera que sepa la dirección?")
    seen.append(form_reply)
    [saved] = await rt.router.dispatch(
        action(form.submit_action_id, form.value, user=ana, values={"comment": COMMENT})
    )
    assert saved.fallback == "Gracias, su comentario quedó guardado con sus respuestas anónimas."
    seen.append(saved)

    for user in others:
        await answer_all(rt, fake.direct_to(user)[0], user, pick=2)
    await tick(rt, START + timedelta(days=2, minutes=1))
    await deliver(rt)
    [_, reminder] = fake.direct_to(luis)
    assert reminder.fallback.startswith("Recordatorio: todavía está a tiempo")
    seen.append(reminder)

    await pulse(rt, "close 1")
    [closed] = await rt.router.dispatch(action(first.action_id, first.options[0].value, luis))
    assert closed.fallback.startswith("Esta encuesta ya cerró")
    seen.append(closed)
    await pulse(rt, "share 1")
    await deliver(rt)
    shared = fake.direct_to(ana)[-1]
    assert "Lo que nos dijeron: Pulso semanal" in shared.fallback
    assert "la mayoría dijo Pocas veces (80%)" in shared.fallback  # Rarely: 4 of 5
    seen.append(shared)

    assert english_on_screen(seen) == []
    [stored] = [r for r in await rt.services.survey_answers.responses(1) if r.comment]
    assert stored.comment == COMMENT  # kept as written


NAMED_COMMENT = "La enfermera Yesenia me ayudó el 3 de marzo cuando faltó personal."


async def test_a_comments_phi_tags_read_in_each_readers_language(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    """A comment is stored with the PHI screen's tags as they are ("[NAME]", "[DATE]"): the
    Spanish speaker who wrote it is told what was replaced in Spanish, and results show the
    tags in the language of whoever reads them."""
    hana = await hr(rt)
    ana, *others = await spanish_staff(rt, 10)
    await pulse(rt, "create weekly-pulse to unit '5 North' now")
    await deliver(rt)
    for user in (ana, *others):
        await answer_all(rt, fake.direct_to(user)[0], user, pick=1)
    [form_reply] = await rt.router.dispatch(action("pulse.comment", "1", user=ana))
    [form] = [b for b in form_reply.blocks if isinstance(b, Form)]
    [saved] = await rt.router.dispatch(
        action(form.submit_action_id, form.value, user=ana, values={"comment": NAMED_COMMENT})
    )
    assert "reemplacé con etiquetas ([FECHA], [NOMBRE])" in saved.fallback
    [stored] = [r for r in await rt.services.survey_answers.responses(1) if r.comment]
    assert stored.comment == "La enfermera [NAME] me ayudó el [DATE] cuando faltó personal."

    _, in_english = await rt.router.dispatch(command("pulse", "close 1", user=hana))
    assert "“La enfermera [NAME] me ayudó el [DATE] cuando faltó personal.”" in (
        in_english.fallback
    )
    await rt.router.dispatch(command("idioma", "español", user=hana))
    [in_spanish] = await rt.router.dispatch(command("pulse", "results 1", user=hana))
    assert "“La enfermera [NOMBRE] me ayudó el [FECHA] cuando faltó personal.”" in (
        in_spanish.fallback
    )
    assert english_on_screen([saved, in_spanish]) == []


def note(reply: Reply) -> str:
    """The anonymity note that ends a survey card."""
    block = reply.blocks[-1]
    assert isinstance(block, Text)
    return block.markdown


def english_free(reply: Reply, seen: list[Reply]) -> str:
    """What `reply` shows, remembered for the check that no English was on screen."""
    seen.append(reply)
    return screen_text(reply)


async def test_each_language_in_a_batch_gets_its_own_invitation(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    [ana] = await spanish_staff(rt, 1)
    [ned] = await english_staff(rt, 1)
    await rt.services.people.resolve(
        Profile("console", TENANT, "U-mx", "U-mx", timezone="America/New_York", locale="es-MX")
    )
    await pulse(rt, "create monthly-enps to everyone now")
    await deliver(rt)
    [spanish], [english], [by_locale] = (fake.direct_to(u) for u in (ana, ned, "U-mx"))
    assert choices(spanish)[0].label.startswith("¿Qué tan probable es que le recomiende")
    assert choices(english)[0].label.startswith("How likely are you to recommend")
    assert by_locale == spanish
    assert (choices(spanish)[0].low_label, choices(spanish)[0].high_label) == (
        "Nada probable",
        "Extremadamente probable",
    )
    assert english_on_screen([spanish]) == []


async def test_answers_in_both_languages_count_together(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    """A choice is stored by its value, never by the label pressed, so "Nunca" and "Never"
    are one answer; eNPS scores likewise."""
    hana = await hr(rt)
    spanish = await spanish_staff(rt, 3)
    english = await english_staff(rt, 3)
    await pulse(rt, "create weekly-pulse to unit '5 North' now")
    await pulse(rt, "create monthly-enps to unit '5 North' now")
    await deliver(rt)
    for user, score in zip(spanish + english, (10, 9, 3, 10, 8, 6), strict=True):
        weekly, enps = fake.direct_to(user)
        await answer_all(rt, weekly, user, pick=3)  # 4 of 5; "Never"
        await answer_all(rt, enps, user, pick=score)
    breaks = {r.answers["breaks"] for r in await rt.services.survey_answers.responses(1)}
    assert breaks == {"Never"}

    _, weekly_results = await rt.router.dispatch(command("pulse", "close 1", user=hana))
    assert "- Never: 6 (100%)" in weekly_results.fallback
    _, enps_results = await rt.router.dispatch(command("pulse", "close 2", user=hana))
    assert "eNPS: +17" in enps_results.fallback  # 3 promoters, 1 passive, 2 detractors of 6
    assert "Promoters (9-10): 3 (50%)" in enps_results.fallback

    await rt.router.dispatch(command("idioma", "español", user=hana))
    [spanish_results] = await rt.router.dispatch(command("pulse", "results 1", user=hana))
    assert "- Nunca: 6 (100%)" in spanish_results.fallback
    assert "Esta semana mi carga de trabajo fue manejable." in spanish_results.fallback
    [spanish_enps] = await rt.router.dispatch(command("pulse", "results 2", user=hana))
    assert "Promotores (9-10): 3 (50%)" in spanish_enps.fallback
    assert english_on_screen([spanish_results, spanish_enps]) == []
    chart = next(b for b in spanish_results.blocks if isinstance(b, Image))
    assert chart.alt_text.startswith("Gráfico de barras de 6 respuestas a “Esta semana")


def test_charts_are_drawn_with_the_readers_words() -> None:
    definition = load_template("weekly-pulse").definition
    assert definition is not None
    breaks = definition.questions[2]
    counts = [("Always", 3), ("Most shifts", 1), ("Rarely", 0), ("Never", 2)]
    english = distribution_png(breaks, counts, translator("en"))
    spanish = distribution_png(breaks.in_language("es"), counts, translator("es"))
    assert english != spanish
    assert breaks.in_language("es").label("Most shifts") == "En la mayoría de los turnos"


SPANISH_SURVEY = """\
id: huddle
title: {en: Huddle check, es: Consulta de la reunión}
questions:
  - id: useful
    type: rating
    text:
      en: Today's huddle was useful.
      es: La reunión de hoy fue útil.
  - id: length
    type: choice
    text: {en: The huddle was, es: La reunión fue}
    options:
      - {en: Too short, es: Demasiado corta}
      - {en: About right, es: Adecuada}
      - Too long
"""


def test_a_definition_carries_its_spanish_text_and_warns_where_it_lacks_it() -> None:
    checked = check_text(SPANISH_SURVEY, "huddle.yaml")
    assert checked.problems == []
    assert [str(w) for w in checked.warnings] == [
        "huddle.yaml:15: option 'Too long' of question 'length' has no Spanish text (es: …): "
        "Spanish readers see it in English"
    ]
    definition = checked.definition
    assert definition is not None
    spanish = definition.in_language("es")
    assert spanish.title == "Consulta de la reunión"
    assert spanish.questions[1].options == ("Too short", "About right", "Too long")  # stored
    assert spanish.questions[1].labels == ("Demasiado corta", "Adecuada", "Too long")
    assert type(definition).from_json(definition.to_json()) == definition


def test_a_definition_stored_before_surveys_had_languages_reads_as_english() -> None:
    definition = load_template("weekly-pulse").definition
    assert definition is not None
    stored = definition.to_json()
    del stored["translations"]
    for question in stored["questions"]:
        del question["translations"]
    old = type(definition).from_json(stored)
    spanish = old.in_language("es")
    assert spanish.title == "Weekly pulse"
    assert spanish.questions[2].label("Most shifts") == "Most shifts"


def test_a_definition_in_an_unknown_language_or_without_english_is_refused() -> None:
    checked = check_text(
        "id: q\ntitle: {es: Hola}\nquestions:\n  - id: a\n    type: rating\n"
        "    text: {en: Fine, fr: Bien}\n"
    )
    assert checked.definition is None
    assert [(p.line, p.message) for p in checked.problems] == [
        (2, "title needs its English text (en: …)"),
        (6, "text: 'fr' is not a language here (en, es)"),
    ]


def test_the_bundled_templates_are_fully_translated() -> None:
    for name in template_names():
        checked = load_template(name)
        assert checked.definition is not None
        assert checked.warnings == [], name


def test_survey_validate_prints_warnings_and_stays_valid(tmp_path: Path) -> None:
    survey = tmp_path / "huddle.yaml"
    survey.write_text(SPANISH_SURVEY, encoding="utf-8")
    checked = run(["survey", "validate", str(survey)], cwd=tmp_path)
    assert checked.returncode == 0
    assert f"{survey}:15: option 'Too long' of question 'length' has no Spanish" in checked.stdout
    assert "(warning)" in checked.stdout
    assert "is valid" in checked.stdout


ENGLISH_ONLY = """\
id: huddle
title: Huddle check
questions:
  - id: useful
    type: rating
    text: Today's huddle was useful.
"""


async def test_an_english_only_survey_reaches_a_spanish_speaker_in_english_with_spanish_around_it(
    rt: Runtime, fake: RecordingMessenger, tmp_path: Path
) -> None:
    survey = tmp_path / "huddle.yaml"
    survey.write_text(ENGLISH_ONLY, encoding="utf-8")
    await hr(rt)
    [ana] = await spanish_staff(rt, 1)
    created = await pulse(rt, f"create --file {survey} to everyone now")
    assert "Note: 2 of its texts are in English only" in created.fallback
    await deliver(rt)
    [invite] = fake.direct_to(ana)
    [choice] = choices(invite)
    assert choice.label == "Today's huddle was useful."
    assert (choice.low_label, choice.high_label) == (
        "Totalmente en desacuerdo",
        "Totalmente de acuerdo",
    )
    assert invite.fallback == "Huddle check: 1 pregunta rápida, anónima."
    # The survey's own words are English; nothing else is.
    survey_words = english_words("Huddle check Today's huddle was useful.")
    assert set(english_on_screen([invite])) <= set(survey_words)
    assert english_words(note(invite)) == []
    thanks = await answer_all(rt, invite, ana)
    assert thanks.fallback.startswith("¡Gracias! Sus respuestas a Huddle check")


async def test_hr_who_reads_spanish_schedules_and_lists_surveys_in_spanish(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    hana = await hr(rt)
    await english_staff(rt, 1)
    await rt.router.dispatch(command("idioma", "español", user=hana))
    created = await pulse(rt, "create weekly-pulse to unit '5 North' every other monday 10:00")
    assert created.fallback.startswith("Encuesta #1 Pulso semanal para la unidad 5 North")
    assert english_on_screen([created]) == []
    assert "cada dos semanas, el lunes a las 10:00, a partir del lun 23 nov" in created.fallback
    assert "Próxima ronda: lun 7 dic, 10:00." in created.fallback
    listing = await pulse(rt, "list")
    assert "**Pulso semanal** (activa)" in screen_text(listing)
    assert english_on_screen([listing]) == []
    templates = await pulse(rt, "templates")
    assert "- `weekly-pulse`: Pulso semanal (escala 1-5, escala 1-5, opción múltiple)" in (
        templates.fallback
    )
    assert english_on_screen([templates]) == []
    unread = await pulse(rt, "create weekly-pulse sometime soonish")
    assert unread.fallback.startswith("No pude entender 'sometime soonish' como horario.")
    assert "Uso: `pulse create" in unread.fallback


async def test_the_next_invitation_recalls_the_last_round_in_each_readers_language(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await hr(rt)
    readers = await spanish_staff(rt, 3) + await english_staff(rt, 2)
    await pulse(rt, "create weekly-pulse to unit '5 North' now")
    await deliver(rt)
    picks = [(0, 3, 0), (0, 3, 1), (1, 4, 1), (2, 4, 1), (3, 4, 2)]  # workload 2.2, support 4.6
    for user, chosen in zip(readers, picks, strict=True):
        invite = fake.direct_to(user)[0]
        for choice, pick in zip(choices(invite), chosen, strict=True):
            await rt.router.dispatch(action(choice.action_id, choice.options[pick].value, user))
    await pulse(rt, "close 1")
    await pulse(rt, 'action 1 Enfermera de apoyo en las noches --owner "Ana Ruiz"')
    await pulse(rt, "action 1 done 1")
    await pulse(rt, "share 1")
    await pulse(rt, "run 1")
    await deliver(rt)
    spanish, english = fake.direct_to(readers[0])[-1], fake.direct_to(readers[-1])[-1]
    first, second = spanish.blocks[:2]
    assert isinstance(first, Text)
    assert isinstance(second, Text)
    assert first.markdown == (
        "**La última vez nos dijo:** “Esta semana mi carga de trabajo fue manejable” obtuvo la "
        "puntuación más baja, 2.2 de 5; “Esta semana sentí el apoyo de mi equipo y de mi "
        "gerente” la más alta, 4.6 de 5."
    )
    assert second.markdown == (
        "**Esto es lo que hicimos:**\n- Enfermera de apoyo en las noches: **hecha** (Ana Ruiz)"
    )
    assert english_on_screen([spanish]) == []
    assert english.fallback.startswith("Last time you told us:")


def test_a_breakdown_with_a_trend_reads_in_spanish_and_comments_stay_as_written() -> None:
    definition = load_template("monthly-enps").definition
    assert definition is not None
    comments = ["Falta personal de noche.", "Great team."]

    def round_(round_id: int, weeks_ago: int, promoters: int) -> RoundData:
        responses = [
            ResponseData(department, "", {"recommend": score}, comments[n % 2])
            for n, (department, score) in enumerate(
                [("ICU", "10")] * promoters
                + [("ICU", "6")] * 3
                + [("ER", "8")] * 6
                + [("Lab", "9")] * 2
            )
        ]
        opened = START - timedelta(weeks=weeks_ago)
        return RoundData(round_id, opened, opened + timedelta(days=5), 30, responses)

    history = [round_(1, 8, 4), round_(2, 4, 6)]
    results = compute(
        definition, round_(3, 0, 8), threshold=5, group_by="department", history=history
    )
    assert isinstance(results, Results)
    t = translator("es")
    reply = render_results(definition, results, "Consulta mensual", zone=NEW_YORK, t=t)
    text = screen_text(reply)
    assert "Otros grupos (ocultos para proteger el anonimato)" in text
    assert "**Tendencia de las últimas 3 rondas** (la más antigua primero)" in text
    assert "Tendencia del eNPS" in [b.title for b in reply.blocks if isinstance(b, Image)]
    assert "“Great team.”" in text  # a comment is shown as its writer wrote it
    assert english_words(text.replace("Great team.", "")) == []
