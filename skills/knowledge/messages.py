"""What the knowledge skill says, kept together so the voice stays consistent.

Each message is English marked with `N_` for the catalog, and translated where a person reads
it (`ctx.t(say.NOT_SURE)`): the Spanish is in `bot/locale/es/LC_MESSAGES/breakroom.po`.
"""

from __future__ import annotations

from bot.i18n import N_

MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 3000

EMPTY_QUESTION = N_(
    "What would you like to know? Ask in your own words, for example "
    "_how many PTO days do I get?_ or _does the hospital pay for my BSN?_"
)
TOO_LONG = N_(
    "That's a long one. Please ask in a sentence or two (under {limit} characters); if it's "
    "complicated, I can pass it to HR."
)
FORM_TITLE = N_("Ask a question")
FORM_LABEL = N_("Your question about benefits, pay, leave or programs")
FORM_PLACEHOLDER = N_("e.g. How many PTO days do I get?")
FORM_SUBMIT = N_("Ask")
SECTION = N_("Section: {heading}")
"""Under the article's title, when the answer comes from one `##` section of it."""
SOURCE = N_("Source: [{title}]({link})")
ONLY_IN_ENGLISH = N_("This article is only in English for now.")
"""Above an English article shown to someone who reads another language: no version in it
yet."""
RELATED = N_("Related: {title}")
HELPFUL_BUTTON = N_("Helpful")
NOT_HELPFUL_BUTTON = N_("Not helpful")
ASK_HR_BUTTON = N_("Ask HR")
NOT_SURE = N_("I'm not sure I have the right answer to that.")
CLOSEST = N_("These articles come closest:")
NOTHING_CLOSE = N_("I couldn't find anything close in the HR knowledge base.")
OFFER_HR = N_("I can pass your question to HR, and their answer will come to you here.")
NOT_MEDICAL_ADVICE = N_(
    "This is benefits information, not medical advice. For a health concern, talk to your "
    "doctor or Employee Health; for patient care, follow your unit's policies and ask your "
    "charge nurse, pharmacist or provider."
)
CLINICAL_DECLINE = N_(
    "That sounds like a clinical or personal-health question, which I can't answer: I only "
    "know HR benefits and programs. Please check your unit's policies or ask your charge "
    "nurse, pharmacist or provider; for your own health, your doctor or Employee Health."
)
PHI_REMOVED = N_(
    "I removed what looked like patient or personal details ({types}) before saving your question."
)
THANKS_HELPFUL = N_("Thanks, glad that helped!")
FEEDBACK_ALREADY = N_("Thanks, I have your feedback on that answer already.")
SORRY_NOT_HELPFUL = N_("Sorry that didn't help. Want me to pass your question to HR?")
UNKNOWN_QUESTION = N_("I can't find that question any more; please ask it again.")
ARTICLE_GONE = N_("That article is no longer in the knowledge base.")
SENT_TO_HR = N_("I've sent your question to HR (ticket #{id}). Their answer will come to you here.")
LOGGED_FOR_HR = N_(
    "I've logged your question for HR (ticket #{id}). Their answer will come to you here."
)
ALREADY_WITH_HR = N_(
    "HR has this question already (ticket #{id}). Their answer will come to you here."
)
HR_NEW_TICKET = N_("**New question for HR** (ticket #{id}) from {name}:\n> {text}")
AN_EMPLOYEE = N_("an employee")
"""Who asked, in HR's view, when the asker's name is not known."""
THE_EMPLOYEE = N_("the employee")
ANSWER_BUTTON = N_("Answer")
ANSWER_TICKET_BUTTON = N_("Answer #{id}")
ANSWER_FORM_TITLE = N_("Answer ticket #{id}")
ANSWER_FORM_LABEL = N_("Your answer")
ANSWER_FORM_SUBMIT = N_("Send to employee")
ANSWER_EMPTY = N_("Please write an answer for the employee.")
ANSWER_TOO_LONG = N_("Please keep the answer under {limit} characters.")
HR_ANSWER_SENT = N_("Sent to {name}. Ticket #{id} is answered.")
HR_ANSWER_DELIVERY_FAILED = N_(
    "I saved the answer to ticket #{id}, but couldn't deliver it to {name} ({reason}). "
    "Please reach them another way."
)
EMPLOYEE_ANSWER = N_("**HR answered your question** (ticket #{id}):\n> {question}\n\n{answer}")
NO_SUCH_TICKET = N_("There is no ticket #{id}.")
ALREADY_ANSWERED = N_(
    "Ticket #{id} was already answered, so I didn't send this one. `ask tickets` lists the "
    "open ones."
)
NO_OPEN_TICKETS = N_("No open questions for HR. Nice work!")

# Command summaries, for help.
ASK_SUMMARY = N_("Ask about benefits, pay, leave and programs")
STATS_SUMMARY = N_("What the knowledge base failed to answer, grouped by topic")
TICKETS_SUMMARY = N_("Questions handed to HR that are still open")
REPLY_SUMMARY = N_("Answer a ticket by DM")
ANSWER_ARGUMENT = N_("answer for the employee")

# "Ask about this" on a spotlight: what the question log keeps of the press, and the answer's
# invitation to go on.
ASKED_ABOUT = "Ask about this (spotlight): {title}"
"""Kept in the question log for HR, in English like the rest of the log."""
FOLLOW_UP = N_("Anything else about it? Type your question here, or press **Ask a question**.")
SPOTLIGHT_GONE = N_("That spotlight's article is no longer in the knowledge base.")
