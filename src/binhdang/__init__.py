"""Binhdang: planning, monitoring and reporting for Vietnam's gender-equality machinery."""

__version__ = "0.1.0"
