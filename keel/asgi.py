"""ASGI entry point (uvicorn keel.asgi:application)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
application = get_asgi_application()
