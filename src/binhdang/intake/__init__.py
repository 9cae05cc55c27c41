"""Intake: draft records read from published news reports."""
