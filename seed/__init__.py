"""Demo data: a small, believable contact center to explore nextcall with."""
