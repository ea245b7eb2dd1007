"""Text utilities shared by skills, free of any vocabulary of their own: accent folding and word
lists, an English stemmer, and spelling help (edit distance, nearest known words, which words are
real English). What a word means to a skill (the knowledge base's stop words, synonyms and
shorthand; the name lists of PHI screening) stays in that skill's package."""
