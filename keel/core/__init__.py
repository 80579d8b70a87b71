"""Shared building blocks: base models, audit trail, errors, pagination, htmx helpers."""
