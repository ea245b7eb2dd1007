"""Ideas, announcements and spotlights for people who read Spanish: every fixed word of their
screens and of what reaches them (notices, stories, digests, announcements, spotlight cards) is
Spanish, what people wrote is shown as written, and an English reader still reads English. A
Spanish and an English idea about the same thing land together in the leaders' summary and in
the monthly digest."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.replies import Buttons, File, Form, Reply, Text
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from skills.ideas.monthly import TICK_JOB
from skills.ideas.themes import guess_category, theme_terms
from storage.people import Profile
from tests.clocks import Clock
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command, message, sealed_for
from tests.spanish import english_words, screen_text
from tests.spotlights import spotlight_kb, tick

LEADERS = "C-leaders"
PHI_IDEA = (
    "La paciente de la cama 412 (MRN 00482913) esperó 3 horas por una cobija caliente; llamar a "
    "su hija al (555) 201-3344. Pongamos calentadores de cobijas en cada piso."
)
BLANKETS = "Warm blankets for patients at night, the rooms get so cold"
NOISE_ES = "Hay mucho ruido en la noche y los pacientes no pueden dormir."
NOISE_EN = "Too much noise at night on the unit, patients cannot sleep."
MEALS = "Offer a later dinner tray for patients who miss supper because of tests."


@pytest.fixture
async def rt(make_settings: Callable[..., Settings], tmp_path: Path) -> AsyncIterator[Runtime]:
    # No quiet hours: notices through the outbox go out at once, whatever the real hour.
    settings = make_settings(
        BREAKROOM_LEADERS_CHANNEL=LEADERS,
        BREAKROOM_QUIET_HOURS="00:00-00:00",
        BREAKROOM_KB_DIR=str(spotlight_kb(tmp_path / "kb")),
    )
    runtime = await start_runtime(settings)
    yield runtime
    await runtime.close()


@pytest.fixture
def fake(rt: Runtime) -> RecordingMessenger:
    messenger = RecordingMessenger()
    rt.services.outbound.register(messenger)
    return messenger


def foreign(replies: list[Reply], *written: str) -> list[str]:
    """The English-only words on these screens, and the PHI screen's tags as stored ("[NAME]"),
    leaving out what people wrote (`written`)."""
    found: list[str] = []
    for reply in replies:
        text = screen_text(reply)
        for words in sorted(written, key=len, reverse=True):
            text = text.replace(words, " ")
        found += english_words(text)
    return found


async def speaks_spanish(rt: Runtime, user: str) -> None:
    [done] = await rt.router.dispatch(command("idioma", "español", user=user))
    assert done.fallback.startswith("Listo")


async def grant(rt: Runtime, user: str, role: Role) -> None:
    person = await rt.services.people.resolve(Profile("console", TENANT, user, user))
    await rt.services.people.grant(person.id, role.value, granted_by="test")


def buttons(reply: Reply) -> dict[str, tuple[str, str]]:
    return {
        b.label: (b.action_id, b.value)
        for block in reply.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
    }


async def press(rt: Runtime, reply: Reply, label: str, user: str) -> Reply:
    action_id, value = buttons(reply)[label]
    [answer] = await rt.router.dispatch(action(action_id, value, user=user))
    return answer


async def say(rt: Runtime, user: str, name: str, text: str = "") -> Reply:
    [reply] = await rt.router.dispatch(command(name, text, user=user))
    return reply


async def shared(rt: Runtime, user: str, text: str, submit: str = "Submit") -> int:
    preview = await say(rt, user, "idea", text)
    thanks = await press(rt, preview, submit, user)
    return int(thanks.fallback.split("#")[1].split(" ")[0].strip("*"))


async def headline(rt: Runtime, idea_id: int) -> str:
    idea = await rt.services.ideas.get(idea_id)
    assert idea is not None
    return idea.headline


# -- reading Spanish ideas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("La comida llega fría a los cuartos", "food"),
        ("Las familias pasan horas en la sala de espera de urgencias", "wait_times"),
        ("Explicar mejor las instrucciones del alta antes de irse a casa", "discharge"),
        ("Poner alarmas de cama para prevenir caídas", "safety"),
        ("Mucho ruido en el pasillo toda la noche", "comfort"),
        ("Una cobija más para cada paciente", "comfort"),
        ("Tener un intérprete disponible para las familias", "communication"),
        ("Cambiar el horario del turno de noche", "staff_experience"),
        ("Un mural en la entrada principal", "other"),
    ],
)
def test_the_category_guess_reads_spanish(text: str, category: str) -> None:
    assert guess_category(text) == category


def test_an_idea_in_either_language_names_the_same_themes() -> None:
    spanish, english = theme_terms(NOISE_ES), theme_terms(NOISE_EN)
    shared_themes = {t for t in spanish & english if t.startswith("theme:")}
    assert shared_themes == {"theme:noise", "theme:night", "theme:sleep"}
    assert not theme_terms(MEALS) & {"theme:noise", "theme:night", "theme:sleep"}
    # Spanish articles and prepositions say nothing about the theme, nor do patients, named in
    # nearly every idea: they are not terms.
    assert not {"los", "la", "en", "hay", "pacient", "patient"} & (spanish | english)


# -- a Spanish-speaking employee -------------------------------------------------------------


async def test_a_spanish_speaker_shares_votes_and_hears_back_in_spanish(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    blankets = await shared(rt, "U-en", BLANKETS)
    await speaks_spanish(rt, "U-es")
    seen: list[Reply] = []

    form = await say(rt, "U-es", "idea")
    [fields] = [b for b in form.blocks if isinstance(b, Form)]
    assert fields.title == "Compartir una idea"
    [typed] = await rt.router.dispatch(message("Tengo una idea", user="U-es"))
    assert typed.blocks == form.blocks, "the Spanish words open the same form"
    preview = await say(rt, "U-es", "idea", PHI_IDEA)
    assert "(MRN [EXPEDIENTE])" in preview.fallback
    assert "su hija al [TELÉFONO]" in preview.fallback
    assert "00482913" not in preview.fallback
    assert "Reemplacé con etiquetas ([EXPEDIENTE], [TELÉFONO])" in preview.fallback
    assert f"Votar por la #{blankets}" in buttons(preview), "an English idea like it is offered"
    edited = await press(rt, preview, "Editar", "U-es")
    assert any(isinstance(b, Form) for b in edited.blocks)
    cancelled = await press(rt, preview, "Cancelar", "U-es")
    assert cancelled.fallback == "De acuerdo, descarté ese borrador. No se guardó nada."
    voted = await press(rt, preview, f"Votar por la #{blankets}", "U-es")
    again = await press(rt, preview, f"Votar por la #{blankets}", "U-es")
    assert again.fallback.startswith("Usted ya votó")
    seen += [form, preview, edited, cancelled, voted, again]

    anonymous = await say(rt, "U-es", "idea", NOISE_ES)
    thanks = await press(rt, anonymous, "Enviar de forma anónima", "U-es")
    assert "Los líderes no verán su nombre." in thanks.fallback
    anonymous_id = int(thanks.fallback.split("#")[1].split(" ")[0])
    named_id = await shared(
        rt, "U-es", "Más intérpretes en urgencias los fines de semana.", "Enviar"
    )
    seen.append(thanks)

    # Leaders (who read English) move both along; the submitter hears each step in Spanish.
    for step in ("under_review", "accepted"):
        [moved] = await rt.router.dispatch(
            command("ideas", f"status {named_id} {step}", user="U-lead")
        )
        assert "is now" in moved.fallback
    await rt.router.dispatch(command("ideas", f"comment {named_id} Good one", user="U-lead"))
    [declined] = await rt.router.dispatch(
        command("ideas", f"status {anonymous_id} declined Walls are being fixed", user="U-lead")
    )
    assert "I've let the submitter know" in declined.fallback
    [done] = await rt.router.dispatch(
        command(
            "ideas",
            f'status {named_id} implemented --helped "Language services" Tablet interpreters 24/7',
            user="U-lead",
        )
    )
    assert "is now implemented" in done.fallback
    await rt.delivery.run_until_idle()
    notices = fake.direct_to("U-es")
    assert [n.fallback.split(":")[0] for n in notices[:2]] == [
        f"Novedades sobre su idea #{named_id}, Más intérpretes en urgencias los fines de semana."
    ] * 2
    story = notices[-1]
    assert story.fallback.startswith(
        f"Usted lo dijo, nosotros lo hicimos: su idea #{named_id} ya está en marcha."
    )
    agreed = await press(rt, story, "Sí, nómbrenme", "U-es")
    assert "diremos que fue idea suya" in agreed.fallback
    seen += [*notices, agreed]
    written = (
        "Good one",
        "Walls are being fixed",
        "Tablet interpreters 24/7",
        "Language services",
        BLANKETS,
    )
    assert foreign(seen, *written) == []

    assert fake.direct_to("U-en") == [], "nothing happened to the idea U-en shared"


NAMED_IDEA = (
    "La Sra. Ramírez esperó su cobija desde el 3 de marzo; pongamos calentadores en cada piso."
)


async def test_a_spanish_reader_reads_the_tags_in_spanish_and_an_english_one_as_stored(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    """What the PHI screen took out is stored as "[NAME]" and "[DATE]"; each reader reads the
    tags in their own language, in the preview, the draft they edit, the idea shown to leaders,
    the summary, and the notices that quote the idea and the leaders' words."""
    await grant(rt, "U-lead", Role.LEADER)
    await grant(rt, "U-jefa", Role.LEADER)
    for user in ("U-es", "U-jefa"):
        await speaks_spanish(rt, user)

    preview = await say(rt, "U-es", "idea", NAMED_IDEA)
    assert "La Sra. [NOMBRE] esperó su cobija desde el [FECHA];" in preview.fallback
    assert "Reemplacé con etiquetas ([FECHA], [NOMBRE])" in preview.fallback
    edited = await press(rt, preview, "Editar", "U-es")
    [form] = [b for b in edited.blocks if isinstance(b, Form)]
    fields = {field.name: field.initial for field in form.inputs}
    assert fields["description"].startswith("La Sra. [NOMBRE] esperó su cobija desde el [FECHA]")
    fields["description"] = fields["description"].replace("cada piso", "cada piso, por favor")
    [again] = await rt.router.dispatch(
        action(form.submit_action_id, form.value, user="U-es", values=fields)
    )
    assert "desde el [FECHA]; pongamos calentadores en cada piso, por favor." in again.fallback
    thanks = await press(rt, again, "Enviar", "U-es")
    idea_id = int(thanks.fallback.split("#")[1].split(" ")[0].strip("*"))
    idea = await rt.services.ideas.get(idea_id)
    assert idea is not None
    assert idea.description == (
        "La Sra. [NAME] esperó su cobija desde el [DATE]; pongamos calentadores en cada piso, "
        "por favor."
    ), "stored with the neutral tags, whatever language the draft was edited in"

    in_english = await say(rt, "U-lead", "ideas", f"show {idea_id}")
    assert "La Sra. [NAME] esperó su cobija desde el [DATE]" in in_english.fallback
    assert "[NOMBRE]" not in in_english.fallback
    in_spanish = await say(rt, "U-jefa", "ideas", f"show {idea_id}")
    assert "La Sra. [NOMBRE] esperó su cobija desde el [FECHA]" in in_spanish.fallback
    summary = await say(rt, "U-jefa", "ideas", "summary")
    assert f"#{idea_id} La Sra. [NOMBRE] esperó" in summary.fallback

    await rt.router.dispatch(
        command("ideas", f"comment {idea_id} Spoke with Dr. Okafor about it on March 3", "U-lead")
    )
    await rt.router.dispatch(command("ideas", f"status {idea_id} accepted", user="U-lead"))
    await rt.router.dispatch(
        command("ideas", f"status {idea_id} implemented Warmers since 04/01/2026", user="U-lead")
    )
    await rt.delivery.run_until_idle()
    commented, accepted, story = fake.direct_to("U-es")
    assert "> Spoke with Dr. [NOMBRE] about it on [FECHA]" in commented.fallback
    assert "La Sra. [NOMBRE] esperó su cobija desde el [FECHA]" in story.fallback
    assert "Warmers since [FECHA]" in story.fallback
    leaders_words = ("Spoke with Dr.", "about it on", "Warmers since")
    screens = [preview, edited, again, thanks, in_spanish, summary, commented, accepted, story]
    assert foreign(screens, *leaders_words) == []
    assert foreign([in_english]) != [], "an English reader reads the tags as they are stored"


async def test_an_english_voter_and_a_spanish_voter_each_read_their_own_language(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    idea_id = await shared(rt, "U-nurse", MEALS)
    await speaks_spanish(rt, "U-es")
    for user in ("U-es", "U-en"):
        value = await sealed_for(rt.services, user, "ideas.upvote", idea_id)
        await rt.router.dispatch(action("ideas.upvote", value, user=user))
    await rt.router.dispatch(command("ideas", f"status {idea_id} accepted", user="U-lead"))
    await rt.router.dispatch(
        command("ideas", f"status {idea_id} implemented Late trays until 21:00", user="U-lead")
    )
    await rt.delivery.run_until_idle()
    [spanish] = fake.direct_to("U-es")
    [english] = fake.direct_to("U-en")
    assert spanish.fallback.startswith("Una idea por la que usted votó ya está en marcha")
    assert english.fallback.startswith("An idea you voted for is in place")
    assert foreign([spanish], "Late trays until 21:00", await headline(rt, idea_id), MEALS) == []


# -- a leader who reads Spanish ----------------------------------------------------------------


async def test_a_spanish_reading_leader_sees_spanish_and_ideas_of_both_languages_grouped(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-jefa", Role.LEADER)
    await grant(rt, "U-boss", Role.LEADER)
    await speaks_spanish(rt, "U-jefa")
    spanish = await shared(rt, "U-nurse", NOISE_ES)
    english = await shared(rt, "U-tech", NOISE_EN)
    meals = await shared(rt, "U-aide", MEALS)
    ideas = [await rt.services.ideas.get(i) for i in (spanish, english, meals)]
    assert [i.category for i in ideas if i] == ["comfort", "comfort", "food"]
    written = [NOISE_ES, NOISE_EN, MEALS] + [
        await headline(rt, i) for i in (spanish, english, meals)
    ]

    summary = await say(rt, "U-jefa", "ideas", "summary")
    assert f"- 2 ideas como la #{spanish}" in summary.fallback, summary.fallback
    assert f"1 idea como la #{meals}" not in summary.fallback
    in_english = await say(rt, "U-boss", "ideas", "summary")
    assert f"- 2 ideas like #{spanish}" in in_english.fallback
    listed = await say(rt, "U-jefa", "ideas", "list --category comida")
    assert f"#{meals}" in listed.fallback
    assert f"#{spanish}" not in listed.fallback
    shown = await say(rt, "U-jefa", "ideas", f"show {spanish}")
    decline_form = await press(rt, shown, "No aprobar…", "U-jefa")
    accepted = await say(rt, "U-jefa", "ideas", f"status {meals} accepted")
    assert accepted.fallback.startswith(f"El estado de la idea #{meals} ahora es aceptada.")
    implement_form = await say(rt, "U-jefa", "ideas", f"status {meals} implemented")
    [form] = [b for b in implement_form.blocks if isinstance(b, Form)]
    assert form.submit_label == "Marcar como implementada"
    values = {"what_changed": "Bandejas de cena hasta las 21:00", "helped": "Nutrición"}
    [marked] = await rt.router.dispatch(
        action(form.submit_action_id, form.value, user="U-jefa", values=values)
    )
    assert "Usted lo dijo, nosotros lo hicimos" in marked.fallback
    drafted = await press(rt, marked, "Anunciar a todo el personal", "U-jefa")
    assert "Vista previa" in drafted.fallback
    exported = await say(rt, "U-jefa", "ideas", "export")
    [sent] = fake.direct_to("U-jefa")
    [file] = [b for b in sent.blocks if isinstance(b, File)]
    header = next(csv.reader(io.StringIO(file.data.decode())))
    assert header[:3] == ["número", "creada", "estado"]
    scheduled = await say(rt, "U-jefa", "ideas", "digest monthly to everyone")
    assert "Listo: el resumen mensual" in scheduled.fallback
    digests = await say(rt, "U-jefa", "ideas", "digest list")
    assert "el día 1 de cada mes a las 09:00" in digests.fallback
    screens = [summary, listed, shown, decline_form, accepted, implement_form, marked, drafted]
    screens += [exported, sent]
    screens += [scheduled, digests]
    assert foreign(screens, *written) == []
    await rt.router.dispatch(
        ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job="ideas.digest")
    )
    [weekly] = fake.channel
    assert "Weekly ideas digest" in weekly.reply.fallback, "a channel reads the hospital's language"


async def test_the_monthly_digest_puts_both_languages_under_one_heading_for_each_reader(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-lead", Role.LEADER)
    await speaks_spanish(rt, "U-es")
    await say(rt, "U-en", "help")
    texts = (NOISE_ES, MEALS, BLANKETS, NOISE_EN)
    ids = [await shared(rt, "U-nurse", text) for text in texts]
    rt.services.clock = lambda: datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    done_words = ("Quiet hours signs", "Late trays", "Blanket warmers", "Earplugs")
    for idea_id, done in zip(ids, done_words, strict=True):
        await rt.router.dispatch(command("ideas", f"status {idea_id} accepted", user="U-lead"))
        await rt.router.dispatch(
            command("ideas", f"status {idea_id} implemented {done}", user="U-lead")
        )
    await rt.delivery.run_until_idle()
    await say(rt, "U-lead", "ideas", "digest monthly to everyone")
    sent_before = {user: len(fake.direct_to(user)) for user in ("U-es", "U-en")}
    rt.services.clock = lambda: datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    trigger = ScheduledTrigger(actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=TICK_JOB)
    await rt.router.dispatch(trigger)
    await rt.delivery.run_until_idle()
    spanish = fake.direct_to("U-es")[sent_before["U-es"]]
    english = fake.direct_to("U-en")[sent_before["U-en"]]
    assert spanish.fallback.startswith("Usted lo dijo, nosotros lo hicimos: noviembre de 2026")
    assert english.fallback.startswith("You said, we did: November 2026")
    headlines = [await headline(rt, i) for i in ids]
    for digest, comfort, food in (
        (spanish, "Comodidad y entorno", "Comida"),
        (english, "Comfort and environment", "Food"),
    ):
        sections = digest.fallback.split("\n\n")
        [comforts] = [s.splitlines()[1:] for s in sections if s.startswith(comfort)]
        # Implemented in between, the blankets come after the two ideas about noise.
        assert [line.split(":")[0] for line in comforts] == [
            f"- {headlines[0]}",
            f"- {headlines[3]}",
            f"- {headlines[2]}",
        ]
        [foods] = [s.splitlines()[1:] for s in sections if s.startswith(food)]
        assert [line.split(":")[0] for line in foods] == [f"- {headlines[1]}"]
    assert foreign([spanish], *headlines, *done_words) == []


# -- announcements and spotlights ----------------------------------------------------------------


async def test_an_announcement_reaches_each_reader_with_its_fixed_parts_in_their_language(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-hr", Role.HR)
    await grant(rt, "U-rrhh", Role.HR)
    await speaks_spanish(rt, "U-es")
    await speaks_spanish(rt, "U-rrhh")
    await say(rt, "U-en", "help")
    preview = await say(
        rt,
        "U-rrhh",
        "announce",
        '"Vacuna contra la gripe" "Gratis en el vestíbulo toda la semana." to everyone now '
        "--link https://intranet.example.org/gripe",
    )
    assert "Vista previa" in preview.fallback
    sent = await press(rt, preview, "Enviar ahora", "U-rrhh")
    assert sent.fallback.startswith("El anuncio #1 va en camino a 4 personas")
    await rt.delivery.run_until_idle()
    [to_es] = fake.direct_to("U-es")
    [to_en] = fake.direct_to("U-en")
    assert {"Entendido", "Más información"} == set(buttons(to_es))
    assert {"Got it", "Learn more"} == set(buttons(to_en))
    got_it = await press(rt, to_es, "Entendido", "U-es")
    more = await press(rt, to_es, "Más información", "U-es")
    assert got_it.fallback == "Gracias por leer."
    report = await say(rt, "U-rrhh", "announce", "report 1")
    listed = await say(rt, "U-rrhh", "announce", "list")
    assert foreign([preview, sent, to_es, got_it, more, report, listed], "U-rrhh") == []
    assert (await press(rt, to_en, "Got it", "U-en")).fallback == "Thanks for reading."


async def test_a_spotlight_card_reaches_a_spanish_reader_in_spanish(
    rt: Runtime, fake: RecordingMessenger
) -> None:
    await grant(rt, "U-hr", Role.HR)
    await speaks_spanish(rt, "U-es")
    await say(rt, "U-en", "help")
    start = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
    rt.services.clock = Clock(start.replace(hour=14))
    created = await say(rt, "U-hr", "spotlight", "create to everyone every monday 10:00")
    assert created.fallback.startswith("Spotlight #1")
    await tick(rt, start.replace(minute=1))
    await rt.delivery.run_until_idle()
    [to_es] = fake.direct_to("U-es")
    [to_en] = fake.direct_to("U-en")
    assert to_es.fallback == "Programa destacado: Flu shots at Employee Health"
    assert to_en.fallback == "In the spotlight: Flu shots at Employee Health"
    assert list(buttons(to_es)) == ["Preguntar sobre esto"]
    intro = to_es.blocks[0]
    assert english_words(screen_text(Reply.of(intro))) == []
    # The article has no Spanish version: its English text comes under a note, in Spanish, that
    # it is only in English so far, and its source line is in Spanish too.
    texts = [block.markdown for block in to_es.blocks if isinstance(block, Text)]
    assert "Este artículo solo está en inglés por ahora." in texts
    assert any(text.startswith("Fuente: ") for text in texts)
    assert not any("only in English" in text or text.startswith("Source") for text in texts)
