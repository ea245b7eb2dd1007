"""Spanish questions: told from English ones, read through the Spanish vocabulary, answered from
an article's Spanish version when it has one, else from the English text with a note; and the
Spanish versions of articles as the knowledge base loads them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.i18n import translator
from bot.replies import Buttons, Form, Reply
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings
from skills.knowledge import messages as say
from skills.knowledge.articles import Loaded, load
from skills.knowledge.cards import article_blocks
from skills.knowledge.library import bundled_kb
from skills.knowledge.search import Retriever
from skills.knowledge.spanish import language_of, parse_spanish, spanish_tokens
from skills.knowledge.text import VocabularyError
from storage.people import Profile
from tests.fakes import RecordingMessenger
from tests.helpers import TENANT, action, command, message
from tests.kb_fixture import ARTICLES, write_kb
from tests.spanish import english_on_screen, english_words, screen_text


@pytest.fixture(scope="module")
def sample() -> Retriever:
    loaded = load(bundled_kb())
    return Retriever(loaded.articles, versions=loaded.versions)


@pytest.mark.parametrize(
    "question",
    [
        "how much pto do i get",
        "pto carryover",
        "my mom died, how many days do i get",
        "can I use my sick time for a dentist appointment",
        "is there a cafe discount",
        "dental plan cost",
    ],
)
def test_english_questions_stay_english(question: str) -> None:
    assert language_of(question) == "en"


@pytest.mark.parametrize(
    "question",
    [
        "se murio mi mama, cuantos dias me dan?",
        "el deductible del ppo",
        "fmla intermitente",
        "¿Cuántos días de vacaciones tengo?",
        "hay guarderia para los hijos de los empleados",
        "quiero pedir mis vacaciones",
    ],
)
def test_spanish_questions_are_told_as_spanish(question: str) -> None:
    assert language_of(question) == "es"


def test_spanish_phrases_become_the_english_words_the_index_knows() -> None:
    assert spanish_tokens("se murió mi mamá") == ["bereavement", "family"]
    assert spanish_tokens("dias libres") == ["pto"]
    assert spanish_tokens("talon de pago") == ["pay", "stub"]
    # A stop word is matched as itself inside a phrase: "como" is not "comida" (cafeteria),
    # though both stem to "com".
    assert "cafeteria" not in spanish_tokens("como pido fmla")


def test_of_two_phrases_that_stem_alike_the_one_typed_wins() -> None:
    # "mareada" (dizzy) and "marido" (husband) both stem to "mar".
    assert spanish_tokens("me siento mareada") == ["sient", "dizzy"]


def test_a_spanish_typo_is_mended_towards_spanish_never_into_english(sample: Retriever) -> None:
    assert spanish_tokens("incapasidad", mend=True) == ["disability"]
    # English typo help would read "vacaciones" as "vaccines" (Employee health).
    best = sample.answer("quiero pedir mis vacaciones").best
    assert best is not None
    assert best.article.id == "pto"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("se murio mi mama, cuantos dias me dan?", "bereavement-leave"),
        ("quiero pedir mis vacaciones", "pto"),
        ("cuanto me pagan por horas extra", "overtime-on-call-pay"),
        ("mi hija necesita frenos, el seguro dental cubre?", "dental-vision"),
        ("se me olvido ponchar la salida, como lo corrijo", "timekeeping-corrections"),
        ("cuanto cuesta el estacionamiento", "parking-shuttles"),
        ("cuando es el dia de pago", "pay-and-direct-deposit"),
    ],
)
def test_spanish_questions_find_their_article(
    sample: Retriever, question: str, expected: str
) -> None:
    answer = sample.answer(question)
    assert answer.language == "es"
    assert answer.best is not None
    assert answer.best.article.id == expected
    assert answer.answered


@pytest.mark.parametrize(
    "question",
    ["cuanto tylenol le puedo dar a un paciente", "la impresora del piso no sirve"],
)
def test_spanish_clinical_and_it_questions_are_declined(sample: Retriever, question: str) -> None:
    assert not sample.answer(question).answered


def test_english_answers_do_not_change_with_spanish_versions() -> None:
    loaded = load(bundled_kb())
    assert loaded.versions, "the sample knowledge base has Spanish versions"
    english = Retriever(loaded.articles)
    both = Retriever(loaded.articles, versions=loaded.versions)
    for question in ("how much pto do i get", "parking permit cost", "eap confidential"):
        assert both.answer(question) == english.answer(question)


def test_a_spanish_version_answers_in_spanish_at_the_same_section(sample: Retriever) -> None:
    question = "el pto se pasa al año siguiente?"
    answer = sample.answer(question)
    assert answer.best is not None
    version = sample.version(answer.best.article, answer.language)
    assert version is not None
    text = "\n".join(
        block.markdown
        for block in article_blocks(
            answer.best.article,
            question,
            answer.best.section,
            t=translator("es"),
            version=version,
        )
    )
    assert "Tiempo libre pagado" in text
    assert "Sección: Lo que pasa al año siguiente y el límite" in text
    assert "no se pierde nada el 1 de enero" in text
    # The version is read at the English page: the anchor is the English heading's.
    assert "pto#carryover-and-the-cap" in text
    assert translator("es")(say.ONLY_IN_ENGLISH) not in text


def test_an_english_only_article_is_shown_with_a_spanish_note(sample: Retriever) -> None:
    question = "cuanto me pagan por horas extra"
    answer = sample.answer(question)
    assert answer.best is not None
    assert sample.version(answer.best.article, "es") is None
    blocks = article_blocks(answer.best.article, question, answer.best.section, t=translator("es"))
    text = "\n".join(block.markdown for block in blocks)
    assert "Este artículo solo está en inglés por ahora." in text
    assert "1.5 times their regular rate" in text
    assert "Fuente:" in text


# -- Spanish versions as the knowledge base loads them -----------------------------------------


def write_version(folder: Path, name: str, front: str, body: str = "Texto en español.") -> Path:
    path = folder / name
    path.write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8")
    return path


def loaded_with(tmp_path: Path, *versions: tuple[str, str]) -> Loaded:
    kb = write_kb(tmp_path / "kb")
    for name, front in versions:
        write_version(kb, name, front)
    return load(kb)


def test_a_spanish_version_joins_its_article_and_takes_its_link(tmp_path: Path) -> None:
    loaded = loaded_with(
        tmp_path,
        ("pto-es.md", "lang: es\ntranslation_of: pto-basics\ntitle: Tiempo libre pagado"),
    )
    assert loaded.problems == []
    assert len(loaded.articles) == 4, "a version is not an article of its own"
    [version] = loaded.versions
    assert (version.id, version.lang, version.translation_of) == ("pto-basics", "es", "pto-basics")
    assert version.link == "https://intranet.example/pto-basics"


def test_a_version_of_an_unknown_article_is_a_clear_load_error(tmp_path: Path) -> None:
    loaded = loaded_with(
        tmp_path,
        ("x-es.md", "lang: es\ntitle: Algo\ntranslation_of: no-such-article"),
    )
    [problem] = loaded.problems
    assert problem.path.endswith("x-es.md")
    assert problem.line == 4
    assert "translation_of 'no-such-article': no article has that id" in problem.message
    assert loaded.versions == []


def test_a_second_version_in_the_same_language_is_a_clear_load_error(tmp_path: Path) -> None:
    front = "lang: es\ntranslation_of: pto-basics\ntitle: Tiempo libre pagado"
    loaded = loaded_with(tmp_path, ("a-es.md", front), ("b-es.md", front))
    [problem] = loaded.problems
    assert problem.path.endswith("b-es.md")
    assert "a second 'es' version of 'pto-basics'" in problem.message
    assert "a-es.md" in problem.message
    assert len(loaded.versions) == 1


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("lang: fr\ntranslation_of: pto-basics\ntitle: Congés", "lang 'fr'"),
        ("translation_of: pto-basics\ntitle: Tiempo libre", "lang ''"),
        ("lang: es\ntitle: Tiempo libre", "missing field: translation_of"),
        ("lang: es\ntranslation_of: pto-basics", "missing field: title"),
    ],
)
def test_a_badly_described_version_is_a_clear_load_error(
    tmp_path: Path, front: str, message: str
) -> None:
    loaded = loaded_with(tmp_path, ("v.md", front))
    assert any(message in problem.message for problem in loaded.problems), loaded.problems
    assert loaded.versions == []


def test_the_sample_knowledge_base_loads_its_spanish_versions_cleanly() -> None:
    loaded = load(bundled_kb())
    assert loaded.problems == []
    assert {v.translation_of for v in loaded.versions} >= {
        "bereavement-leave",
        "pto",
        "sick-leave",
        "parking-shuttles",
        "employee-assistance-program",
    }


def test_a_malformed_spanish_vocabulary_is_refused() -> None:
    with pytest.raises(VocabularyError):
        parse_spanish("terms:\n  pto: vacaciones\n")


# -- through the skill ---------------------------------------------------------------------------

HR_CHANNEL = "C-hr"
NURSE, HR = "U-ana", "U-hr"


@pytest.fixture
async def spanish_runtime(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> AsyncIterator[Runtime]:
    """The test knowledge base with a Spanish version of its PTO article, and an HR channel
    read in Spanish, the hospital's language."""
    kb = write_kb(tmp_path / "kb")
    write_version(
        kb,
        "pto-basics-es.md",
        "lang: es\ntranslation_of: pto-basics\ntitle: Tiempo libre pagado (PTO)\n"
        "questions:\n  - ¿Cuántos días de vacaciones tengo?",
        "El personal de tiempo completo gana 6 horas de PTO por periodo de pago, unos 20 días "
        "al año.",
    )
    rt = await start_runtime(
        make_settings(
            BREAKROOM_KB_DIR=str(kb), BREAKROOM_HR_CHANNEL=HR_CHANNEL, BREAKROOM_LANGUAGE="es"
        )
    )
    yield rt
    await rt.close()


async def ask(rt: Runtime, text: str, user: str = NURSE) -> Reply:
    [reply] = await rt.router.dispatch(message(text, user=user))
    return reply


def button(reply: Reply, action_id: str) -> str:
    return next(
        b.value
        for block in reply.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
        if b.action_id == action_id
    )


async def test_a_spanish_speaker_is_answered_from_the_spanish_version(
    spanish_runtime: Runtime,
) -> None:
    reply = await ask(spanish_runtime, "cuantos dias de vacaciones tengo")
    assert "Tiempo libre pagado (PTO)" in reply.fallback
    assert "gana 6 horas de PTO" in reply.fallback
    assert translator("es")(say.ONLY_IN_ENGLISH) not in reply.fallback


async def test_a_spanish_speaker_gets_an_english_only_article_with_the_note(
    spanish_runtime: Runtime,
) -> None:
    reply = await ask(spanish_runtime, "donde me pongo la vacuna de la gripe")
    assert "Flu shots are free at Employee Health" in reply.fallback
    assert "Este artículo solo está en inglés por ahora." in reply.fallback


async def test_the_version_shown_follows_the_persons_language_not_the_questions(
    spanish_runtime: Runtime,
) -> None:
    await spanish_runtime.router.dispatch(command("language", "english", user="U-luis"))
    reply = await ask(spanish_runtime, "cuantos dias de vacaciones tengo", user="U-luis")
    assert "Full-time staff earn 6 hours of PTO" in reply.fallback
    assert "Este artículo" not in reply.fallback


async def test_a_spanish_speaker_reads_no_english_from_the_knowledge_skill(
    spanish_runtime: Runtime,
) -> None:
    """Every reply of the knowledge skill to a Spanish-speaking nurse and HR person, from a
    question answered to the ticket HR answers: no English word, articles' own text and what
    people typed aside."""
    rt = spanish_runtime
    fake = RecordingMessenger()
    rt.services.outbound.register(fake)
    await rt.router.dispatch(command("idioma", "español", user=NURSE))
    person = await rt.services.people.resolve(Profile("console", TENANT, HR, "Hana"))
    await rt.services.people.grant(person.id, Role.HR.value, granted_by="test")
    seen: list[Reply] = []

    async def press(action_id: str, value: str, user: str = NURSE, **kw: object) -> list[Reply]:
        replies = await rt.router.dispatch(action(action_id, value, user=user, **kw))
        seen.extend(replies)
        return replies

    answered = await ask(rt, "cuantos dias de vacaciones tengo")
    english_only = await ask(rt, "donde me pongo la vacuna de la gripe")
    not_sure = await ask(rt, "puedo llevar a mi perro a la fiesta del turno de noche")
    declined = await ask(rt, "no puedo entrar a mi correo")
    clinical = await ask(rt, "cuanto tylenol le puedo dar a un paciente")
    chats = [await ask(rt, text) for text in ("hola", "gracias", "quien eres")]
    screened = await ask(
        rt, "mi paciente Juan Perez MRN 00482913 me dio una tarjeta, puedo usar pto"
    )
    assert "(nombre y número de expediente médico)" in screened.fallback
    assert "Pregúnteme" in chats[1].fallback
    assert "clínica" in clinical.fallback
    seen += [answered, english_only, not_sure, declined, clinical, *chats, screened]
    [form] = await rt.router.dispatch(action("knowledge.ask_form"))
    seen.append(form)

    await press("knowledge.helpful", button(answered, "knowledge.helpful"))
    await press("knowledge.helpful", button(answered, "knowledge.helpful"))
    await press("knowledge.not_helpful", button(english_only, "knowledge.not_helpful"))
    await press("knowledge.show", button(english_only, "knowledge.show"))
    [handed] = await press("knowledge.ask_hr", button(not_sure, "knowledge.ask_hr"))
    assert "caso #1" in handed.fallback
    await press("knowledge.ask_hr", button(not_sure, "knowledge.ask_hr"))

    [post] = [sent.reply for sent in fake.channel if sent.to == HR_CHANNEL]
    seen.append(post)
    seen += await rt.router.dispatch(command("ask", "tickets", user=HR))
    seen += await rt.router.dispatch(command("ask", "stats", user=HR))
    [answer_form] = await press("knowledge.hr_answer", button(post, "knowledge.hr_answer"), HR)
    [form_block] = [b for b in answer_form.blocks if isinstance(b, Form)]
    answer = {"answer": "Solo se permiten animales de servicio."}
    await press(form_block.submit_action_id, form_block.value, HR, values=answer)
    await press(form_block.submit_action_id, form_block.value, HR, values=answer)
    seen += await rt.router.dispatch(command("ask", "tickets", user=HR))
    seen += await rt.router.dispatch(command("ask", "reply 7 Sí.", user=HR))
    seen += fake.direct_to(NURSE)

    typed = " ".join(
        [
            "puedo llevar a mi perro a la fiesta del turno de noche",
            "mi paciente Juan Perez MRN 00482913 me dio una tarjeta, puedo usar pto",
            "Solo se permiten",
            "Hana",
        ]
    )
    article_text = " ".join(
        f"{title} {' '.join(questions)} {body}" for title, questions, _, body in ARTICLES.values()
    )
    allowed = {w.lower() for w in english_words(f"{typed} {article_text}")}
    leftover = [w for w in english_on_screen(seen) if w.lower() not in allowed]
    assert leftover == []


async def test_a_questions_phi_tags_read_in_the_language_of_whoever_reads_the_ticket(
    spanish_runtime: Runtime,
) -> None:
    """A question is stored with the PHI screen's tags as they are ("[NAME]", "[DATE]"); HR's
    channel (in the hospital's language, Spanish here), HR's ticket list and the answer sent
    back show them in their reader's language."""
    rt = spanish_runtime
    fake = RecordingMessenger()
    rt.services.outbound.register(fake)
    await rt.router.dispatch(command("idioma", "español", user=NURSE))
    person = await rt.services.people.resolve(Profile("console", TENANT, HR, "Hana"))
    await rt.services.people.grant(person.id, Role.HR.value, granted_by="test")
    not_sure = await ask(
        rt, "puedo llevar a mi perro a la despedida de la enfermera Yesenia el 3 de marzo"
    )
    [handed] = await rt.router.dispatch(
        action("knowledge.ask_hr", button(not_sure, "knowledge.ask_hr"), user=NURSE)
    )
    ticket = await rt.services.tickets.get(1)
    assert ticket is not None
    assert ticket.text.endswith("la despedida de la enfermera [NAME] el [DATE]")
    spanish = "la despedida de la enfermera [NOMBRE] el [FECHA]"

    [post] = [sent.reply for sent in fake.channel if sent.to == HR_CHANNEL]
    assert spanish in post.fallback
    [in_spanish] = await rt.router.dispatch(command("ask", "tickets", user=HR))
    assert spanish in in_spanish.fallback
    [stats] = await rt.router.dispatch(command("ask", "stats", user=HR))
    assert spanish in stats.fallback
    [answer_form] = await rt.router.dispatch(
        action("knowledge.hr_answer", button(post, "knowledge.hr_answer"), user=HR)
    )
    assert spanish in screen_text(answer_form)
    await rt.router.dispatch(command("language", "english", user=HR))
    [in_english] = await rt.router.dispatch(command("ask", "tickets", user=HR))
    assert "la despedida de la enfermera [NAME] el [DATE]" in in_english.fallback
    await rt.router.dispatch(command("ask", "reply 1 Solo animales de servicio.", user=HR))
    [answered] = fake.direct_to(NURSE)
    assert spanish in answered.fallback

    typed = "puedo llevar a mi perro a la despedida de la enfermera el Solo animales de servicio"
    allowed = {w.lower() for w in english_words(typed)}
    screens = [handed, post, in_spanish, stats, answer_form, answered]
    assert [w for w in english_on_screen(screens) if w.lower() not in allowed] == []
