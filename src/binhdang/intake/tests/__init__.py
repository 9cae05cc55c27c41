"""Tests of the intake app."""
