"""QA tools' own exports read as format v1: one module per source, one shared shape (`vendor`)."""
