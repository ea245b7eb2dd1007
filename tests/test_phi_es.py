"""PHI redactor on Spanish: names with two surnames and Spanish titles, Spanish dates, labels,
phones and addresses; Spanish words that are also names left alone; and a floor over the Spanish
dev set (tests/data/phi_es_dev.jsonl), like the one over the English dev set."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from skills.phi import redact
from tests.test_phi import expected

PHI_ES_DEV = Path(__file__).resolve().parent / "data" / "phi_es_dev.jsonl"
PHI_ES_DEV2 = Path(__file__).resolve().parent / "data" / "phi_es_dev2.jsonl"
TYPES = {"NAME", "DATE", "MRN", "PHONE", "ID", "EMAIL", "SSN", "ADDRESS"}

# Written for these tests, not taken from the dev set: (text, [(type, exact span text), ...]).
PHI_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Doña María Guadalupe Hernández Ortiz esperó tres horas su medicamento",
        [("NAME", "María Guadalupe Hernández Ortiz")],
    ),
    ("Doña Chonita pidió que le cambien la almohada", [("NAME", "Chonita")]),
    ("la srta. karla ibarra de admisión llenó los formularios", [("NAME", "karla ibarra")]),
    ("el sr. evaristo zamudio no entendió las indicaciones", [("NAME", "evaristo zamudio")]),
    ("la dra. ximena explicó el tratamiento con calma", [("NAME", "ximena")]),
    ("la enfermera yesenia se quedó después del turno", [("NAME", "yesenia")]),
    ("Gracias a Chuy de transporte por su paciencia", [("NAME", "Chuy")]),
    ("Le agradezco a Memo de dietas la gelatina sin azúcar", [("NAME", "Memo")]),
    ("su hija, marisela, traduce para ella", [("NAME", "marisela")]),
    ("Hay que felicitar a Wendy Ramos por la colecta", [("NAME", "Wendy Ramos")]),
    ("la pte consuelo pidió agua toda la noche", [("NAME", "consuelo")]),
    ("la pte. jose luis quintana se cayó en el baño", [("NAME", "jose luis quintana")]),
    ("el sr. julio cesar campos dijo que no", [("NAME", "julio cesar campos")]),
    ("chuy de farmacia nos ayudó con la receta", [("NAME", "chuy")]),
    ("La bebé de Itzayana sigue en la UCIN", [("NAME", "Itzayana")]),
    ("Rosa es la enfermera que nos ayudó", [("NAME", "Rosa")]),
    ("Felicidades a la Dra. María Karen Ochoa", [("NAME", "María Karen Ochoa")]),
    (
        "Gracias a Chayo y a Nacho de Cocina por la comida",
        [("NAME", "Chayo"), ("NAME", "Nacho")],
    ),
    ("La cita fue el 3 de marzo y nadie le avisó", [("DATE", "3 de marzo")]),
    ("Ingresó el 14 de febrero de 2026 por la tarde", [("DATE", "14 de febrero de 2026")]),
    ("nació el 1º de mayo de 1950 en Oaxaca", [("DATE", "1º de mayo de 1950")]),
    ("la cita quedó para el 3/marzo/2026", [("DATE", "3/marzo/2026")]),
    ("se fue de alta el 1ro de mayo sin receta", [("DATE", "1ro de mayo")]),
    ("ingresó el primero de junio por una caída", [("DATE", "primero de junio")]),
    ("expediente A-2290314 con la alergia mal capturada", [("MRN", "A-2290314")]),
    ("expediente no. 55-201-339, favor de revisar", [("MRN", "55-201-339")]),
    ("historia clínica HC-448201 incompleta", [("MRN", "HC-448201")]),
    ("cel. (55) 5550-1234 de la nieta", [("PHONE", "(55) 5550-1234")]),
    ("su cel 55 12 34 56 78 no contesta", [("PHONE", "55 12 34 56 78")]),
    ("Llamar al hermano al +52 55 5550 1234 si hay cambios", [("PHONE", "+52 55 5550 1234")]),
    ("el celular de su hija es el 555-0178, llámenle", [("PHONE", "555-0178")]),
    ("el seguro social del paciente 604338219 quedó a la vista", [("SSN", "604338219")]),
    ("NSS 12345678901 escrito en la hoja de ingreso", [("SSN", "12345678901")]),
    ("la familia vive en Calle Morelos 45 y no tiene carro", [("ADDRESS", "Calle Morelos 45")]),
    ("mandaron la carta a Av. Juárez 123 depto 4", [("ADDRESS", "Av. Juárez 123 depto 4")]),
    (
        "Su casa está en Calle 5 de Mayo 212, cerca del mercado",
        [("ADDRESS", "Calle 5 de Mayo 212")],
    ),
    ("vive en 1412 Oak Hollow Dr, apto 3 con su hija", [("ADDRESS", "1412 Oak Hollow Dr, apto 3")]),
    # addresses as Latin America and Spanish speakers in the US write them
    ("la mamá vive en Calle 12 #40-15 en Bogotá", [("ADDRESS", "Calle 12 #40-15")]),
    ("su hijo está en Carrera 9 No. 18-22, Medellín", [("ADDRESS", "Carrera 9 No. 18-22")]),
    ("mandaron la factura a Calle Reforma 12, Tijuana", [("ADDRESS", "Calle Reforma 12")]),
    ("llevar la silla a 2210 NW 7 Ave, apto 3", [("ADDRESS", "2210 NW 7 Ave, apto 3")]),
    ("vive en el 3200 de la Bird Road con su nieta", [("ADDRESS", "3200 de la Bird Road")]),
    ("la señora vive en la 17 con Flagler, sin elevador", [("ADDRESS", "17 con Flagler")]),
    ("vive por la calle Ocho y la 32 avenida", [("ADDRESS", "calle Ocho y la 32 avenida")]),
    (
        "su casa: Calle Allende 9, Col. Centro, C.P. 06000",
        [("ADDRESS", "Calle Allende 9, Col. Centro, C.P. 06000")],
    ),
    ("el código postal del paciente es 33135", [("ADDRESS", "33135")]),
    ("la entregaron en Edificio 4, depto 102", [("ADDRESS", "Edificio 4, depto 102")]),
    ("Urb. Los Olmos, calle 2 casa 7, Carolina", [("ADDRESS", "Urb. Los Olmos, calle 2 casa 7")]),
    ("la hija vive en Reforma 1602 depto 8", [("ADDRESS", "Reforma 1602 depto 8")]),
    ("la paciente vive en av morelos 45 sola", [("ADDRESS", "av morelos 45")]),
    ("vive en 45 Calle Luna, Ponce", [("ADDRESS", "45 Calle Luna")]),
    ("su casa queda en Carr. 3 km 12.5", [("ADDRESS", "Carr. 3 km 12.5")]),
    ("vive en la 3ra avenida 415 con su hermano", [("ADDRESS", "3ra avenida 415")]),
    ("se mudó a 12 Calle Sol, apto 4 en enero", [("ADDRESS", "12 Calle Sol, apto 4")]),
    ("entregar en apto. 3C, 900 Ocean Dr", [("ADDRESS", "apto. 3C, 900 Ocean Dr")]),
    ("vive en calle 45 #12-30 sur, Bogotá", [("ADDRESS", "calle 45 #12-30 sur")]),
    ("número de afiliado 77310045 rechazado en farmacia", [("ID", "77310045")]),
    ("la cuenta 7720019 tiene un cobro doble", [("ID", "7720019")]),
    ("póliza 88392011 no aparece en el portal", [("ID", "88392011")]),
    ("reclamo no. 5529013377 fue negado", [("ID", "5529013377")]),
    (
        "Don Juan Carlos Ortega Ruiz, reclamo 88123004, tel. 555-310-2288",
        [("NAME", "Juan Carlos Ortega Ruiz"), ("ID", "88123004"), ("PHONE", "555-310-2288")],
    ),
]

# Spanish words that are names too, places named after saints, months, doses and scores.
CLEAN_CASES = [
    "Las rosas de la capilla alegran a los pacientes",
    "Luz tenue en la noche para que descansen",
    "Luz de emergencia del baño no prende",
    "Paz y silencio en la sala de espera después de las 9",
    "Dolores de cabeza por el ruido de las bombas",
    "La Cruz Roja donó cobijas para urgencias",
    "Mercedes y otros carros se estacionan en los lugares de discapacitados",
    "Esperanza es lo que sienten las familias cuando alguien les explica",
    "Consuelo para las familias: un cuarto silencioso",
    "Socorro, dicen los pacientes cuando nadie contesta el timbre",
    "La Virgen de Guadalupe en la capilla necesita flores",
    "En la colonia Guadalupe no hay farmacia abierta de noche",
    "Vienen pacientes desde Guadalupe, Nuevo León",
    "Pacientes de Santa Rosa piden transporte los sábados",
    "Abril trae muchas alergias, faltan pañuelos",
    "Para la semana de la enfermería proponemos desayuno",
    "Como equipo queremos una sala de descanso",
    "Sala de espera del piso 2 con 30 sillas",
    "Campos de juego para los niños en pediatría",
    "Bomba de infusión suena cada 5 minutos sin motivo",
    "dolor 8/10 sin analgésico por una hora",
    "Hospital Ángeles y Clínica San José comparten estacionamiento",
    "El Centro de Salud San Juan queda lejos para las familias",
    "San Judas Tadeo tiene su altar en la capilla del segundo piso",
    # capitalized phrases, places and Spanish words that are surnames or given names too
    "La Unidad de Cuidados Intensivos Neonatales necesita sillas",
    "Los Ángeles tiene un programa de intérpretes",
    "Las Cruces y El Paso mandan pacientes en helicóptero",
    "El Centro de Salud Familiar de Little Havana cierra a las 5",
    "Torres de almacenaje bloquean el pasillo",
    "Rico el pan dulce de la cafetería",
    "Mesa de la sala de descanso rota",
    "Alegría en pediatría con los payasos",
    "Clara la explicación del doctor, gracias",
    "Ave María antes de la cena en la capilla",
    "Todos Santos: altar en el lobby",
    "Esperanza Sana es el programa de prevención de diabetes",
    # rooms, floors, buildings and streets that are not anyone's address
    "Edificio B, sala 204: capacitación de los martes",
    "La entrada de la Avenida Central cierra a las 9",
    "La calle 8 y la 27 están cerradas por obras",
    "Vive en Texas hace 20 años y viene a todas sus citas",
    "la paciente del piso 3 vive con su hija y 2 nietos",
    "Edificio 3, apto para oficinas desde enero",
]


@pytest.mark.parametrize(("text", "spans"), PHI_CASES, ids=[t[:40] for t, _ in PHI_CASES])
def test_spanish_phi_found_with_exact_spans(text: str, spans: list[tuple[str, str]]) -> None:
    result = redact(text)
    assert list(result.entities) == expected(text, spans)
    for kind, span in spans:
        assert f"[{kind}]" in result.text
        assert span not in result.text


@pytest.mark.parametrize("text", CLEAN_CASES, ids=[t[:40] for t in CLEAN_CASES])
def test_spanish_clean_text_unchanged(text: str) -> None:
    result = redact(text)
    assert result.entities == ()
    assert result.text == text


def _dev_rows(path: Path = PHI_ES_DEV) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(("path", "prefix"), [(PHI_ES_DEV, "esd"), (PHI_ES_DEV2, "es2d")])
def test_spanish_dev_set_spans_are_well_formed(path: Path, prefix: str) -> None:
    """The sets are scored by offsets, so each span must cut exactly one trimmed identifier."""
    rows = _dev_rows(path)
    assert [row["id"] for row in rows] == [f"{prefix}{n:03d}" for n in range(1, len(rows) + 1)]
    assert len({row["text"] for row in rows}) == len(rows)
    for row in rows:
        text, entities = row["text"], row["entities"]
        assert isinstance(text, str)
        assert isinstance(entities, list)
        for ent in entities:
            span = text[ent["start"] : ent["end"]]
            assert ent["type"] in TYPES
            assert span
            assert span == span.strip()
        assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(entities))


def test_floor_on_spanish_dev_set() -> None:
    gold_by_type: Counter[str] = Counter()
    found_by_type: Counter[str] = Counter()
    clean = changed = 0
    for row in _dev_rows():
        text, entities = row["text"], row["entities"]
        assert isinstance(text, str)
        assert isinstance(entities, list)
        result = redact(text)
        if not entities:
            clean += 1
            changed += result.text != text
        for gold in entities:
            gold_by_type[gold["type"]] += 1
            found_by_type[gold["type"]] += any(
                e.type == gold["type"] and e.start < gold["end"] and gold["start"] < e.end
                for e in result.entities
            )
    recall = {kind: found_by_type[kind] / n for kind, n in gold_by_type.items()}
    assert set(recall) == TYPES
    assert min(recall.values()) >= 0.93, recall
    assert changed / clean <= 0.05
