"""The JSON API at /api/v1: one NinjaAPI, each app adds its router (keel/<app>/api.py)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from keel.benefits.api import benefits
from keel.changes.api import changes
from keel.compliance.api import compliance
from keel.core.api import SessionAuth, install_error_handlers, normalise_validation_error
from keel.finance.api import finance
from keel.gates.api import gates
from keel.governance.api import governance
from keel.notifications.api import notifications
from keel.orgs.api import TokenAuth, account, org, reference
from keel.portfolio.api import oversight, register
from keel.resources.api import resources
from keel.resources.capacity_api import capacity
from keel.resources.leveling_api import leveling
from keel.schedule.api import schedule
from keel.schedule.import_api import imports
from keel.statusreports.api import statusreports
from keel.timesheets.api import timesheets


class KeelAPI(NinjaAPI):
    """NinjaAPI whose schema errors name fields as ["body", field], like the domain's own 422s."""

    def validation_error_from_error_contexts(self, error_contexts: list[Any]) -> NinjaValidationError:
        """Ninja's 422 for schema errors, with the body parameter's name left out of each location."""
        return normalise_validation_error(super().validation_error_from_error_contexts(error_contexts))


api = KeelAPI(
    title="Keel API",
    version="1",
    description=(
        "Keel's JSON API. Authenticate with a personal token (`Authorization: Bearer <token>`) or a "
        "signed-in browser session. See docs/api.md for tokens, concurrency, pagination and errors."
    ),
    urls_namespace="api",
    # A token first (scripts), then the browser's session (pages calling the API).
    auth=[TokenAuth(), SessionAuth()],
)
install_error_handlers(api)


# Every app's endpoints, mounted at the API's root; their tags group them in the docs.
for router in (
    account,
    org,
    reference,
    register,
    oversight,
    schedule,
    imports,
    resources,
    capacity,
    leveling,
    timesheets,
    finance,
    benefits,
    governance,
    gates,
    changes,
    statusreports,
    compliance,
    notifications,
):
    api.add_router("/", router)
