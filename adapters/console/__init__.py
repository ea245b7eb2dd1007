"""The terminal chat used on the embedded default (`breakroom chat`)."""
