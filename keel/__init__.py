"""Keel: an open-source Project Management Office platform."""

__version__ = "0.1.0"
