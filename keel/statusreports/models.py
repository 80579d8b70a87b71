"""Status reports on a cadence, drafted from data with proposed RAG, confirmed or overridden by the project manager; PDF."""

from django.db import models  # noqa: F401
