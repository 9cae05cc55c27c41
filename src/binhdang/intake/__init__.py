"""Intake: draft records from published news of committee work."""
