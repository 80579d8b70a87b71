"""The endpoints of settings a unit owns or inherits (`keel.core.api.unit_settings_routes`) share one
contract: read what is in force, set the unit's own with its version, drop them to inherit again."""

from __future__ import annotations

import pytest

from keel.core.models import AuditEntry

ENDPOINTS = {
    "raid": ("/org-units/{}/raid-config", {"scale_size": 4}),
    "compliance": ("/compliance/org-units/{}/settings", {"stale_raid_days": 10}),
    "status-reports": ("/org-units/{}/status-report-config", {"cadence": "monthly"}),
    "change-authority": ("/org-units/{}/change-authority", {"levels": [{"approver_role": "pmo_admin"}]}),
}


@pytest.mark.parametrize(("path", "body"), ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_unit_settings_endpoints_share_one_contract(org, as_user, path, body):
    admin, pm_north = as_user(org.admin), as_user(org.pm_north)
    url = path.format(org.north.pk)

    # Given a unit that inherits its settings, dropping its own has nothing to do and writes nothing.
    entries = AuditEntry.objects.count()
    assert admin.delete(url).status == 204
    assert AuditEntry.objects.count() == entries
    assert admin.get(url).body["own"] is False

    # Its first own settings need no version; from then on every write names the version it edited.
    made = admin.call("PUT", url, body)
    assert (made.status, made.body["own"], made.body["version"]) == (200, True, 1)
    assert admin.call("PUT", url, body).status == 428
    assert admin.call("PUT", url, body, headers={"If-Match": '"7"'}).status == 412
    assert admin.delete(url).status == 428
    assert admin.delete(url, {"version": 7}).status == 409

    # A project manager reads them but may not change them; another division does not see the unit.
    assert pm_north.get(url).body["version"] == 1
    assert pm_north.call("PUT", url, {**body, "version": 1}).status == 403
    assert pm_north.delete(url, {"version": 1}).status == 403
    assert as_user(org.pm_south).get(url).status == 404

    assert admin.delete(url, headers={"If-Match": '"1"'}).status == 204
    after = admin.get(url).body
    assert (after["own"], after["inherited_from"], after["version"]) == (False, None, None)
