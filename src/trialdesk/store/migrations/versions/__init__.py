"""Schema revisions, oldest first; every schema change is one file here."""
