"""One answering path for every platform.

An adapter translates a platform's payload into a neutral event, makes a `Surface` (its
primitives for that one event: post, post privately, update, open a form, DM, publish a home
surface, answer in the HTTP response) and hands both to its `Answerer`, built with the
`Capabilities` it declares for its platform. The core does everything else:

- `answerer`: the person's turn, the router, one catch that logs with the event id, rate-limit
  patience around each primitive, and the background work drained at shutdown;
- `placement`: where each reply goes, as a pure function giving a chain of places to try;
- `surface`: the port the adapters implement;
- `forms`: forms offered behind a button until pressed, and the job that prunes them;
- `turns`: one person's events one at a time.
"""

from bot.answering.answerer import Answerer
from bot.answering.forms import (
    FORM_GONE,
    FORM_LIFETIME,
    OPEN_OFFERED_FORM,
    KeepForms,
    keeper,
    register_pruning,
)
from bot.answering.placement import (
    FILES_NEED_DIRECT,
    Capabilities,
    Openings,
    Place,
    Source,
    Step,
    placements,
)
from bot.answering.surface import Surface

__all__ = [
    "FILES_NEED_DIRECT",
    "FORM_GONE",
    "FORM_LIFETIME",
    "OPEN_OFFERED_FORM",
    "Answerer",
    "Capabilities",
    "KeepForms",
    "Openings",
    "Place",
    "Source",
    "Step",
    "Surface",
    "keeper",
    "placements",
    "register_pruning",
]
