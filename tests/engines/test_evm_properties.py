"""Properties of the earned-value engine over random statuses and random task sets (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engines import evm
from keel.engines.evm import TaskValue

START = date(2024, 1, 1)
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
percent = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def statuses(draw: st.DrawFn) -> evm.Metrics:
    """A consistent status: PV and EV within BAC, any AC, sometimes a bottom-up ETC."""
    bac = draw(money)
    pv = draw(st.decimals(min_value=0, max_value=bac, places=2))
    ev = draw(st.decimals(min_value=0, max_value=bac, places=2))
    ac = draw(money)
    etc = draw(st.none() | money)
    return evm.metrics(bac=bac, pv=pv, ev=ev, ac=ac, etc_bottom_up=etc)


@st.composite
def tasks(draw: st.DrawFn) -> TaskValue:
    """A task over up to 60 days from START (milestones included), with any of the four EV rules."""
    start = START + timedelta(days=draw(st.integers(0, 60)))
    finish = start + timedelta(days=draw(st.integers(0, 60)))
    method = draw(st.sampled_from(evm.METHODS))
    milestones: tuple[tuple[Decimal, bool], ...] = ()
    if method == "milestones":
        cuts = sorted(draw(st.sets(st.integers(1, 99), max_size=4)))
        weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        milestones = tuple((Decimal(weight), draw(st.booleans())) for weight in weights)
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    return TaskValue(
        id=str(draw(st.integers(0, 10**6))),
        budget=draw(money),
        start=start,
        finish=finish,
        percent_complete=draw(percent),
        method=method,
        milestones=milestones,
        working_days=frozenset(days),
    )


@settings(max_examples=100, deadline=None)
@given(statuses())
def test_the_rollup_of_one_item_is_the_item(item):
    assert evm.rollup([item]) == item
    assert evm.as_json(evm.rollup([item])) == evm.as_json(item)


@settings(max_examples=100, deadline=None)
@given(st.lists(statuses(), min_size=1, max_size=8))
def test_rollup_indices_come_from_the_sums_never_from_averages(items):
    total = evm.rollup(items)
    bac, pv, ev, ac = (
        sum((getattr(item, key) for item in items), Decimal(0)) for key in ("BAC", "PV", "EV", "AC")
    )
    assert (bac, pv, ev, ac) == (total.BAC, total.PV, total.EV, total.AC)
    assert (ev / ac if ac else None) == total.CPI
    assert (ev / pv if pv else None) == total.SPI
    assert ev - ac == total.CV and ev - pv == total.SV
    assert total.EAC_atypical == ac + bac - ev
    if all(item.ETC_bottom_up is not None for item in items):
        assert total.ETC_bottom_up == sum((item.ETC_bottom_up for item in items), Decimal(0))  # type: ignore[misc]
    else:
        assert total.ETC_bottom_up is None


@settings(max_examples=100, deadline=None)
@given(statuses())
def test_every_metric_is_a_decimal_or_none_with_a_reason(m):
    for name in evm.METRIC_NAMES:
        value = getattr(m, name)
        assert value is None or isinstance(value, Decimal), name
        assert (value is None) == (m.reason(name) is not None), name
    # The forecasts agree with each other where they are defined.
    assert m.ETC_atypical + m.AC == m.EAC_atypical
    if m.EAC_cpi is not None:
        assert m.VAC_cpi == m.BAC - m.EAC_cpi
        if m.EV:
            assert abs(m.EAC_cpi - m.BAC / (m.EV / m.AC)) <= Decimal("1e-12") * max(m.EAC_cpi, Decimal(1))


@settings(max_examples=100, deadline=None)
@given(st.lists(tasks(), min_size=1, max_size=12))
def test_the_pv_curve_rises_to_bac_and_ev_stays_within_it(task_list):
    last = max(task.finish for task in task_list)
    days = [START - timedelta(days=1) + timedelta(days=offset) for offset in range((last - START).days + 3)]
    curve = evm.pv_curve(task_list, days)
    bac = evm.budget_at_completion(task_list)
    assert curve[0] == 0  # the day before anything starts
    assert all(earlier <= later for earlier, later in zip(curve, curve[1:], strict=False))
    assert curve[-1] == bac and evm.planned_value(task_list, last) == bac
    assert all(value <= bac for value in curve)
    ev = evm.earned_value(task_list)
    assert 0 <= ev <= bac
    for task in task_list:
        assert 0 <= task.earned <= task.budget


@settings(max_examples=100, deadline=None)
@given(tasks())
def test_the_zero_hundred_and_fifty_fifty_rules(task):
    zero_hundred = TaskValue(**{**_fields(task), "method": "0/100", "milestones": ()})
    fifty = TaskValue(**{**_fields(task), "method": "50/50", "milestones": ()})
    physical = TaskValue(**{**_fields(task), "method": "physical", "milestones": ()})
    pct = task.percent_complete
    # 0/100 earns nothing until done; 50/50 half once started; both all of it when done.
    assert zero_hundred.earned == (task.budget if pct == 100 else 0)
    assert fifty.earned == (0 if pct == 0 else task.budget if pct == 100 else task.budget / 2)
    assert zero_hundred.earned <= physical.earned
    if pct in (0, 100):
        assert zero_hundred.earned == fifty.earned == physical.earned


def _fields(task: TaskValue) -> dict:
    return {
        "id": task.id,
        "budget": task.budget,
        "start": task.start,
        "finish": task.finish,
        "percent_complete": task.percent_complete,
        "working_days": task.working_days,
    }


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=24),
    st.data(),
)
def test_earned_schedule_stays_within_the_plan_and_inverts_the_pv_curve(increments, data):
    pvs = []
    running = Decimal(0)
    for step in increments:
        running += step
        pvs.append(running)
    ev = data.draw(st.decimals(min_value=0, max_value=pvs[-1], places=2))
    at = data.draw(st.integers(1, 40))
    planned = pvs.index(pvs[-1]) + 1
    es = evm.earned_schedule(pv_by_period=pvs, ev=ev, actual_time=at, planned_duration=planned)
    assert 0 <= es.ES <= planned
    assert es.SV_t == es.ES - at and es.SPI_t == es.ES / at
    # Interpolating the PV curve at ES gives back the EV.
    whole = int(es.ES)
    cumulative = [Decimal(0), *pvs]
    if whole < planned:
        at_es = cumulative[whole] + (es.ES - whole) * (cumulative[whole + 1] - cumulative[whole])
        assert abs(at_es - ev) <= Decimal("1e-15") * max(ev, Decimal(1))
    else:
        assert ev == pvs[-1]
