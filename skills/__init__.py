"""Skills: one package per job. Each exposes `setup(router)` and sees only neutral types;
`skills.catalog.install` puts them all on a router."""
