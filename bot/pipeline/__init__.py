"""The chain ingest → triage → act → deliver; each step is one transaction and safe to repeat."""
