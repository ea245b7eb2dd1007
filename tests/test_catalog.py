"""Every message a person reads has its translation in every catalog, placeholders intact."""

from __future__ import annotations

from pathlib import Path

from bot import catalog

HEADER = 'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'


def test_every_message_in_the_code_is_translated() -> None:
    problems = catalog.check()
    assert not problems, "\n".join(map(str, problems))


def _project(tmp_path: Path, code: str, translations: str) -> Path:
    for package in catalog.PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "skills" / "hello.py").write_text(code, encoding="utf-8")
    po = catalog.catalog_path("es", tmp_path)
    po.parent.mkdir(parents=True)
    po.write_text(HEADER + translations, encoding="utf-8")
    return tmp_path


def test_a_message_missing_from_a_catalog_is_named(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        'GREETING = N_("Hello")\ndef f(t):\n    return t("Bye, {name}", name="Ana")\n',
        'msgid "Hello"\nmsgstr "Hola"\n',
    )
    assert [str(p) for p in catalog.check(root)] == ["es: not in the catalog: 'Bye, {name}'"]


def test_a_translation_with_other_placeholders_is_named(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        'def f(t, n):\n    return t.plural("{count} vote", "{count} votes", n)\n',
        'msgid "{count} vote"\nmsgid_plural "{count} votes"\n'
        'msgstr[0] "{count} voto"\nmsgstr[1] "{total} votos"\n',
    )
    [problem] = catalog.check(root)
    assert problem.why == "placeholders differ from the message's"


def test_update_adds_new_messages_keeps_translations_and_drops_unused_ones(
    tmp_path: Path,
) -> None:
    root = _project(
        tmp_path,
        'A = N_("Hello")\nB = N_("New one")\n',
        'msgid "Hello"\nmsgstr "Hola"\n\nmsgid "Gone"\nmsgstr "Ya no"\n',
    )
    assert catalog.update(root) == {"es": 1}
    written = catalog.catalog_path("es", root).read_text(encoding="utf-8")
    assert 'msgid "Hello"\nmsgstr "Hola"' in written
    assert 'msgid "New one"\nmsgstr ""' in written
    assert "Gone" not in written
    catalog.update(root)
    assert catalog.catalog_path("es", root).read_text(encoding="utf-8") == written


def test_a_message_that_is_plural_in_the_code_only_is_named(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        'def f(t, n):\n    return t.plural("{count} vote", "{count} votes", n)\n',
        'msgid "{count} vote"\nmsgstr "{count} voto"\n',
    )
    [problem] = catalog.check(root)
    assert problem.why == "plural in one of the code and the catalog only"


def test_a_message_the_code_no_longer_says_is_named(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        'A = N_("Hello")\n',
        'msgid "Hello"\nmsgstr "Hola"\n\nmsgid "Gone"\nmsgstr "Ya no"\n',
    )
    assert [str(p) for p in catalog.check(root)] == ["es: no longer in the code: 'Gone'"]
    catalog.update(root)
    assert catalog.check(root) == []
