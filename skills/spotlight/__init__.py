"""Program spotlights: a recurring campaign that sends one knowledge-base article at a time to
an audience, with an "Ask about this" button that opens a question on it."""
