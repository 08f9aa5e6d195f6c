"""One object -> findings: the schemas, their validators, the invariants, validate()."""
