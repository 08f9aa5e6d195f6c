"""The lifecycle engine servers embed: advance(), steps, and the new run."""
