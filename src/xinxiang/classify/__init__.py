"""Keyword-rule routing with explainable hits, and duplicate detection."""
