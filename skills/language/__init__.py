"""Each person's language: shown and changed by `language` / `idioma` and its buttons."""
