"""Patient-experience ideas: collected with PHI screened out, reviewed by leaders."""
