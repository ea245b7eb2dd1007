"""What the knowledge skill says, kept together so the voice stays consistent."""

from __future__ import annotations

MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 3000

EMPTY_QUESTION = (
    "What would you like to know? Ask in your own words, for example "
    "_how many PTO days do I get?_ or _does the hospital pay for my BSN?_"
)
TOO_LONG = (
    f"That's a long one. Please ask in a sentence or two (under {MAX_QUESTION_CHARS:,} "
    "characters); if it's complicated, I can pass it to HR."
)
FORM_TITLE = "Ask a question"
FORM_LABEL = "Your question about benefits, pay, leave or programs"
FORM_PLACEHOLDER = "e.g. How many PTO days do I get?"
SECTION = "Section: {heading}"
SECTION_ES = "Sección: {heading}"
SOURCE = "Source: [{title}]({link})"
SOURCE_ES = "Fuente: [{title}]({link})"
ONLY_IN_ENGLISH = "Este artículo solo está en inglés por ahora."
"""Above an English article shown to a Spanish-speaking reader: no Spanish version yet."""
"""Under the article's title, when the answer comes from one `##` section of it."""
NOT_SURE = "I'm not sure I have the right answer to that."
CLOSEST = "These articles come closest:"
NOTHING_CLOSE = "I couldn't find anything close in the HR knowledge base."
OFFER_HR = "I can pass your question to HR, and their answer will come to you here."
NOT_MEDICAL_ADVICE = (
    "This is benefits information, not medical advice. For a health concern, talk to your "
    "doctor or Employee Health; for patient care, follow your unit's policies and ask your "
    "charge nurse, pharmacist or provider."
)
CLINICAL_DECLINE = (
    "That sounds like a clinical or personal-health question, which I can't answer: I only "
    "know HR benefits and programs. Please check your unit's policies or ask your charge "
    "nurse, pharmacist or provider; for your own health, your doctor or Employee Health."
)
PHI_REMOVED = (
    "I removed what looked like patient or personal details ({types}) before saving your question."
)
THANKS_HELPFUL = "Thanks, glad that helped!"
FEEDBACK_ALREADY = "Thanks, I have your feedback on that answer already."
SORRY_NOT_HELPFUL = "Sorry that didn't help. Want me to pass your question to HR?"
UNKNOWN_QUESTION = "I can't find that question any more; please ask it again."
SENT_TO_HR = "I've sent your question to HR (ticket #{id}). Their answer will come to you here."
LOGGED_FOR_HR = (
    "I've logged your question for HR (ticket #{id}). Their answer will come to you here."
)
ALREADY_WITH_HR = "HR has this question already (ticket #{id}). Their answer will come to you here."
HR_NEW_TICKET = "**New question for HR** (ticket #{id}) from {name}:\n> {text}"
HR_ANSWER_SENT = "Sent to {name}. Ticket #{id} is answered."
HR_ANSWER_DELIVERY_FAILED = (
    "I saved the answer to ticket #{id}, but couldn't deliver it to {name} ({reason}). "
    "Please reach them another way."
)
EMPLOYEE_ANSWER = "**HR answered your question** (ticket #{id}):\n> {question}\n\n{answer}"
NO_SUCH_TICKET = "There is no ticket #{id}."
ALREADY_ANSWERED = (
    "Ticket #{id} was already answered, so I didn't send this one. `ask tickets` lists the "
    "open ones."
)
NO_OPEN_TICKETS = "No open questions for HR. Nice work!"

# "Ask about this" on a spotlight: what the question log keeps of the press, and the answer's
# invitation to go on.
ASKED_ABOUT = "Ask about this (spotlight): {title}"
FOLLOW_UP = "Anything else about it? Type your question here, or press **Ask a question**."
SPOTLIGHT_GONE = "That spotlight's article is no longer in the knowledge base."
