"""PHI screening: find patient identifiers in free text and replace them with tags before the text
is stored or logged. Rules with context and shipped name lists; no model, no network."""

from skills.phi.jsonl import redact_stream
from skills.phi.redactor import Entity, Redaction, redact

__all__ = ["Entity", "Redaction", "redact", "redact_stream"]
