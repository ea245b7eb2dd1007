"""A small knowledge base written by the tests, so skill tests do not depend on sample content."""

from __future__ import annotations

from pathlib import Path

ARTICLES = {
    "pto-basics": (
        "Paid time off (PTO)",
        ["How much PTO do I get?", "How many vacation days do I have?"],
        ["pto", "vacation", "time off"],
        "Full-time staff earn 6 hours of PTO per pay period, about 20 days a year.\n\n"
        "**Requesting PTO:** ask your manager in the scheduling app at least two weeks ahead.",
    ),
    "tuition-help": (
        "Tuition reimbursement",
        ["Does the hospital pay for my BSN?", "How do I get tuition reimbursement?"],
        ["tuition", "degree", "bsn", "education"],
        "The hospital pays up to $5,250 a year toward an accredited degree such as a BSN.\n\n"
        "**Leaving early:** if you leave within a year of a payment, you repay it in full.",
    ),
    "flu-shots": (
        "Flu shots at Employee Health",
        ["Where do I get my flu shot?", "Is the flu vaccine required?"],
        ["flu", "vaccine", "employee health"],
        "Flu shots are free at Employee Health, Monday to Friday 7am-5pm, and required by "
        "December 1 for everyone who works on site.",
    ),
    "eap-counseling": (
        "Employee Assistance Program (EAP)",
        ["How do I reach the EAP?", "Is there free counseling for staff?"],
        ["eap", "counseling", "mental health"],
        "The EAP offers six free, confidential counseling sessions per issue, 24/7 at 555-0100.",
    ),
}


def write_kb(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for article_id, (title, questions, tags, body) in ARTICLES.items():
        write_article(folder, article_id, title, questions, tags, body)
    return folder


def write_article(
    folder: Path, article_id: str, title: str, questions: list[str], tags: list[str], body: str
) -> Path:
    question_lines = "\n".join(f"  - {q}" for q in questions)
    path = folder / f"{article_id}.md"
    path.write_text(
        f"---\nid: {article_id}\ntitle: {title}\nquestions:\n{question_lines}\n"
        f"tags: [{', '.join(tags)}]\naudience: all staff\n"
        f"link: https://intranet.example/{article_id}\nupdated: 2026-01-01\n---\n\n{body}\n",
        encoding="utf-8",
    )
    return path


def write_sectioned_article(folder: Path) -> Path:
    """An article whose `##` sections answer different questions: parking, with the night
    rule and the shuttle each under its own heading."""
    return write_article(
        folder,
        "parking",
        "Parking and shuttles",
        ["Where do I park?"],
        ["parking", "shuttle"],
        "Staff park in Garage B.\n\n## Night shift\nAfter 19:00 you may park in Garage A.\n\n"
        "## Shuttle\nThe shuttle to the remote lot runs every 15 minutes.",
    )
