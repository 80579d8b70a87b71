"""API shapes of compliance: gaps, per-project summaries, the roll-up per unit, waivers, reminders and
a unit's settings. Every name starts with Compliance so that it is unique across the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from keel.compliance.models import MAX_DAYS
from keel.core.api import Id, InputSchema, Text
from keel.orgs.schemas import UnitRef, UserRef
from keel.schedule.schemas import ProjectRef

Key = Annotated[Text, Field(min_length=1, max_length=200, description="The gap's key, e.g. baseline")]
Days = Annotated[int, Field(ge=1, le=MAX_DAYS)]


class ComplianceGapOut(Schema):
    """A required item not in place: its project, kind, owner, since when and how many days."""

    key: str
    kind: str
    kind_label: str
    title: str
    detail: str
    project: ProjectRef
    owner: UserRef | None
    since: dt.date
    age_days: int
    url: str
    last_reminded_at: dt.datetime | None = None


class ComplianceWaiverOut(Schema):
    """The PMO's waiver of one gap: it counts as in place until it expires."""

    id: int
    project: ProjectRef
    key: str
    kind: str
    title: str
    reason: str
    waived_by: UserRef | None
    waived_at: dt.datetime
    expires_on: dt.date | None
    version: int


class ComplianceWaivedGapOut(Schema):
    """A current gap and the waiver that counts it as in place."""

    gap: ComplianceGapOut
    waiver: ComplianceWaiverOut


class ComplianceGapFilterIn(Schema):
    """Filters of the gap lists: an org unit's subtree, a project, a kind."""

    unit: Id | None = None
    project: Id | None = None
    kind: str = Field("", max_length=30, description="phase_item, status_report, baseline, change or raid")


class ComplianceProjectOut(Schema):
    """A project's compliance: open gaps, waived gaps, the share of its phase's required items in place."""

    project: ProjectRef
    checked: bool
    compliant: bool
    phase_met: int
    phase_total: int
    phase_share: float | None
    counts: dict[str, int]
    gaps: list[ComplianceGapOut]
    waived: list[ComplianceWaivedGapOut]


class ComplianceUnitOut(Schema):
    """The compliance of the open projects of a unit's subtree."""

    unit: UnitRef
    projects: int
    compliant: int
    share_compliant: float | None
    gaps: int
    waived: int
    counts: dict[str, int]
    phase_met: int
    phase_total: int
    phase_share: float | None


class ComplianceRollupFilterIn(Schema):
    """The roll-up of one unit's subtree (default: every unit you see)."""

    unit: Id | None = None


class ComplianceWaiverFilterIn(Schema):
    """Filters of the waiver list."""

    unit: Id | None = None
    project: Id | None = None


class ComplianceWaiverIn(InputSchema):
    """Waive a gap of the project: its key, why, and optionally the day it counts again."""

    key: Key
    reason: Annotated[Text, Field(min_length=1, max_length=4000)]
    expires_on: dt.date | None = None


class ComplianceReminderIn(InputSchema):
    """Remind the owner of a gap of the project."""

    key: Key


class ComplianceReminderOut(Schema):
    """A reminder sent to the owner of a gap."""

    id: int
    project: ProjectRef
    key: str
    title: str
    recipient: UserRef
    sent_by: UserRef | None
    sent_at: dt.datetime


class ComplianceConfigOut(Schema):
    """The compliance settings in force for a unit: its own, inherited from `inherited_from`, or the defaults."""

    unit: UnitRef
    own: bool
    inherited_from: UnitRef | None
    stale_raid_days: int
    change_age_days: int
    baseline_required: bool
    version: int | None


class ComplianceConfigIn(InputSchema):
    """A unit's compliance settings; fields left out keep their value (or the inherited one)."""

    stale_raid_days: Days | None = None
    change_age_days: Days | None = None
    baseline_required: bool | None = None
    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you edited (alternative to If-Match)"
    )
