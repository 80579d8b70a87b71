"""The earned-value engine against published worked examples, and its rules for bad input.

The examples are in ../shared/data/evm/evm_worked_examples.json (sources in ../shared/data/SOURCES.md,
section 4). Every number of every case's ``computed_expected`` is pinned to 6 decimals (the file's
rounding); where a source printed a wrong answer the file flags it and the recomputed value is used.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from keel.engines import evm
from keel.engines.evm import TaskValue

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "evm" / "evm_worked_examples.json"
SIX = Decimal("0.000001")


def _load() -> dict:
    if not EXAMPLES.exists():
        pytest.skip(f"{EXAMPLES} is not here (the shared test data is checked out next to the repository)")
    return json.loads(EXAMPLES.read_text())


def _case(case_id: str) -> dict:
    return next(case for case in _load()["cases"] if case["id"] == case_id)


def _six(value: Decimal | None) -> Decimal:
    assert value is not None
    return value.quantize(SIX, rounding=ROUND_HALF_UP)


def _expect(value: Decimal | None, expected: float | int) -> None:
    assert _six(value) == Decimal(str(expected)).quantize(SIX), (value, expected)


def _computed_cases() -> list[str]:
    if not EXAMPLES.exists():
        return ["(no data)"]
    return [case["id"] for case in json.loads(EXAMPLES.read_text())["cases"] if case.get("computed_expected")]


@pytest.mark.parametrize("case_id", _computed_cases())
def test_every_computed_number_of_the_worked_examples(case_id):
    data = _load()
    expected = _case(case_id)["computed_expected"]
    m = evm.metrics(bac=expected["BAC"], pv=expected["PV"], ev=expected["EV"], ac=expected["AC"])
    result = evm.as_json(m)
    pinned = [key for key in expected if key != "estimated_duration_months"]
    assert set(data["formulas"]) <= set(pinned)  # every formula of the file is checked for this case
    for key in pinned:
        _expect(Decimal(result[key]), expected[key])
        _expect(getattr(m, key), expected[key])


def test_the_json_keys_are_the_worked_examples_formula_names_plus_the_inputs():
    data = _load()
    m = evm.metrics(bac=100, pv=50, ev=40, ac=45)
    keys = set(evm.as_json(m))
    assert set(data["formulas"]) | {"PV", "EV", "AC", "BAC"} <= keys
    values = evm.as_json(m)
    assert {key for key, value in values.items() if value is None} == {
        "EAC_bottom_up",
        "ETC_bottom_up",
        "VAC_bottom_up",
    }
    assert values["CPI"] == str(Decimal(40) / Decimal(45)) and values["CV"] == "-5"


def test_schwalbe_estimated_duration_is_the_planned_duration_over_spi():
    """6 months / SPI: exactly 6 / (100000/120000) = 7.2. The file's 7.200003 divides by SPI already rounded
    to 0.833333 (6 / 0.833333 = 7.2000029), which this test reproduces too."""
    for case_id, months in (
        ("schwalbe-itpm-ch7-6-month-project", 6),
        ("schwalbe-itpm-ch7-1-year-project", 12),
    ):
        expected = _case(case_id)["computed_expected"]
        m = evm.metrics(bac=expected["BAC"], pv=expected["PV"], ev=expected["EV"], ac=expected["AC"])
        assert m.SPI is not None
        _expect(months / _six(m.SPI), expected["estimated_duration_months"])
    exact = evm.metrics(bac=200000, pv=120000, ev=100000, ac=90000)
    assert exact.SPI is not None
    assert (6 / exact.SPI).normalize() == Decimal("7.2")
    # The published answer of the 1-year variant: 13.8 months, CPI 0.8, EAC 150000.
    year = evm.metrics(bac=120000, pv=23000, ev=20000, ac=25000)
    assert year.SPI is not None
    assert (12 / year.SPI).quantize(Decimal("0.1")) == Decimal("13.8")
    assert (year.CPI, year.EAC_cpi) == (Decimal("0.8"), 150000)


def test_pra_toy_project_published_values():
    """PRA's toy project: BAC 100000, planned fractions (.1 .2 .4 .7 1), period 3, 35 % complete,
    cumulative actuals (9000 18000 36000 ...): PV 40000, EV 35000, AC 36000."""
    case = _case("pra-r-package-toy")
    inputs, published = case["inputs"], case["published_expected"]
    period = inputs["time_period"]
    bac = Decimal(inputs["BAC"])
    pv = bac * Decimal(str(inputs["cumulative_planned_fraction"][period - 1]))
    ev = bac * Decimal(str(inputs["percent_complete"]))
    ac = inputs["cumulative_actual_costs"][period - 1]
    m = evm.metrics(bac=bac, pv=pv, ev=ev, ac=ac)
    for key in ("PV", "EV", "AC", "SV", "CV", "SPI"):
        _expect(getattr(m, key), published[key])
    assert abs(m.CPI - Decimal(str(published["CPI"]))) <= Decimal(str(published["CPI_tolerance"]))  # type: ignore[operator]


def test_pra_formula_checks():
    """PRA's formula checks, each with its own inputs. Where a check gives CPI (and not AC), AC is the one
    that makes EV/AC that CPI (CPI 0.8 with EV 35000 -> AC 43750; with EV 40000 -> AC 50000). The
    combined-EAC check (CPI 0.8, SPI 0.9 *and* AC 63000, EV 35000) is not a consistent status (EV/AC is
    not 0.8), so it is checked on the formula: 63000 + 65000 / 0.72 = 153277.777778."""
    checks = {check["fn"]: check for check in _case("pra-r-package-toy")["published_formula_checks"]}
    _expect(evm.metrics(bac=100000, pv=50000, ev=40000, ac=50000).EAC_cpi, checks["EAC typical"]["expected"])
    atypical = evm.metrics(bac=100000, pv=40000, ev=35000, ac=63000)
    _expect(atypical.EAC_atypical, checks["EAC atypical = AC + (BAC-EV)"]["expected"])
    _expect(atypical.ETC_atypical, checks["ETC = BAC-EV"]["expected"])
    _expect(
        evm.metrics(bac=100000, pv=40000, ev=35000, ac=43750).ETC_cpi,
        checks["ETC = (BAC-EV)/CPI"]["expected"],
    )
    _expect(
        Decimal(63000) + Decimal(65000) / (Decimal("0.8") * Decimal("0.9")),
        checks["EAC combined = AC + (BAC-EV)/(CPI*SPI)"]["expected"],
    )
    # The engine's CPI×SPI EAC on a consistent status with CPI 0.8 and SPI 0.9: EV 36000, AC 45000, PV 40000.
    combined = evm.metrics(bac=100000, pv=40000, ev=36000, ac=45000)
    indices = (combined.CPI, combined.SPI)
    assert indices == (Decimal("0.8"), Decimal("0.9"))
    _expect(combined.EAC_cpi_x_spi, 45000 + Decimal(64000) / Decimal("0.72"))
    # VAC = BAC - EAC with a bottom-up EAC of 120000 (AC 40000 + ETC 80000).
    bottom_up = evm.metrics(bac=100000, pv=40000, ev=35000, ac=40000, etc_bottom_up=80000)
    assert bottom_up.EAC_bottom_up == 120000
    _expect(bottom_up.VAC_bottom_up, checks["VAC = BAC-EAC"]["expected"])
    _expect(bottom_up.TCPI_bac, checks["TCPI to BAC = (BAC-EV)/(BAC-AC)"]["expected"])
    tcpi_eac = evm.metrics(bac=100000, pv=40000, ev=35000, ac=40000, eac_for_tcpi=120000)
    _expect(tcpi_eac.TCPI_eac, checks["TCPI to EAC = (BAC-EV)/(EAC-AC)"]["expected"])


def _physical(case_id: str) -> list[TaskValue]:
    day = date(2024, 1, 1)
    return [
        TaskValue(
            id=activity["name"],
            budget=Decimal(str(activity["bac"])),
            start=day,
            finish=day,
            percent_complete=Decimal(str(activity["pct"])) * 100,
        )
        for activity in _case(case_id)["inputs"]["activities"]
    ]


@pytest.mark.parametrize(
    "case_id", ["ritetracpm-three-activities-bac-1000", "proj592-problem-5-1", "proj592-task-table-bac-46550"]
)
def test_activity_cases_aggregate_from_tasks(case_id):
    """EV from each activity's physical % complete, PV and AC summed; BAC of the case where it has more
    budget than its activities (ritetracpm: 525 not yet scheduled); the metrics of the sums are the case's."""
    case = _case(case_id)
    expected = case["computed_expected"]
    tasks = _physical(case_id)
    ev = evm.earned_value(tasks)
    _expect(ev, expected["EV"])
    pv = sum(Decimal(str(activity["pv"])) for activity in case["inputs"]["activities"])
    ac = sum(Decimal(str(activity["ac"])) for activity in case["inputs"]["activities"])
    _expect(pv, expected["PV"])
    _expect(ac, expected["AC"])
    bac = case["inputs"].get("BAC", evm.budget_at_completion(tasks))
    _expect(Decimal(bac), expected["BAC"])
    m = evm.metrics(bac=bac, pv=pv, ev=ev, ac=ac)
    for key, value in expected.items():
        _expect(getattr(m, key), value)


def test_per_activity_values_and_rollup_of_activities():
    """proj592 task table: each activity's EV, CV and SV (task C's CV is -855; the source printed -1035),
    and the roll-up of the seven activities gives the project's numbers (CV -1475, not the printed -1655)."""
    case = _case("proj592-task-table-bac-46550")
    activities = {activity["name"]: activity for activity in case["inputs"]["activities"]}
    items = []
    for row in case["per_activity_expected"]:
        activity = activities[row["name"]]
        bac = Decimal(str(activity["bac"]))
        m = evm.metrics(bac=bac, pv=activity["pv"], ev=bac * Decimal(str(activity["pct"])), ac=activity["ac"])
        for key in ("EV", "CV", "SV"):
            _expect(getattr(m, key), row[key])
        items.append(m)
    total = evm.rollup(items)
    for key, value in case["computed_expected"].items():
        _expect(getattr(total, key), value)


def test_proj592_planned_value_from_dates():
    """proj592 problem 5-1 spends linearly: A is 5 of 15 weeks in, B 2 of 4, C finished, D 3 of 6.
    On five-day weeks, status Friday 2024-03-01: PV = 150000·25/75 + 100000·10/20 + 110000 + 450000·15/30
    = 50000 + 50000 + 110000 + 225000 = 435000, as the case."""
    status = date(2024, 3, 1)  # a Friday

    def weeks_back(weeks: int) -> date:  # the Monday `weeks` weeks before the status week ends
        return status - timedelta(days=7 * weeks - 3)

    inputs = {activity["name"]: activity for activity in _case("proj592-problem-5-1")["inputs"]["activities"]}
    spans = {"A": (5, 15), "B": (2, 4), "C": (8, 6), "D": (3, 6)}  # (weeks elapsed, weeks planned)
    tasks = []
    for name, (elapsed, planned) in spans.items():
        start = weeks_back(elapsed)
        finish = start + timedelta(days=7 * planned - 3)
        activity = inputs[name]
        tasks.append(
            TaskValue(
                id=name,
                budget=Decimal(activity["bac"]),
                start=start,
                finish=finish,
                percent_complete=Decimal(str(activity["pct"])) * 100,
            )
        )
        assert tasks[-1].planned(status) == Decimal(str(activity["pv"]))
    assert evm.planned_value(tasks, status) == 435000
    m = evm.metrics_at(tasks, status, ac=395000)
    expected = _case("proj592-problem-5-1")["computed_expected"]
    for key, value in expected.items():
        _expect(getattr(m, key), value)


def test_json_strings_are_plain_decimals_without_negative_zero():
    m = evm.metrics(bac=Decimal("100000.00"), pv=Decimal("0.00"), ev=Decimal("-0.00"), ac=Decimal("1E+3"))
    values = evm.as_json(m)
    assert (values["EV"], values["AC"], values["BAC"]) == ("0.00", "1000", "100000.00")
    assert values["CV"] == "-1000.00" and values["SV"] == "0.00"


def test_rollup_sums_forecasts_only_when_every_item_has_one():
    """Two projects: (BAC 100, PV 50, EV 40, AC 50, ETC 70, EAC 120) and (BAC 300, PV 100, EV 120, AC 100,
    ETC 190, EAC 290). Sums 400 / 150 / 160 / 150: CPI = 160/150, SPI = 160/150 (not the mean of
    0.8 and 1.2 = 1.0 for CPI); bottom-up ETC 260, EAC 410; TCPI to the summed EAC 410:
    (400 - 160) / (410 - 150) = 240/260."""
    a = evm.metrics(bac=100, pv=50, ev=40, ac=50, etc_bottom_up=70, eac_for_tcpi=120)
    b = evm.metrics(bac=300, pv=100, ev=120, ac=100, etc_bottom_up=190, eac_for_tcpi=290)
    total = evm.rollup([a, b])
    sums = (total.BAC, total.PV, total.EV, total.AC)
    assert sums == (400, 150, 160, 150)
    assert total.CPI == Decimal(160) / Decimal(150) != (a.CPI + b.CPI) / 2  # type: ignore[operator]
    assert (total.ETC_bottom_up, total.EAC_bottom_up, total.EAC_tcpi) == (260, 410, 410)
    assert total.TCPI_eac == Decimal(240) / Decimal(260)
    partial = evm.rollup([a, evm.metrics(bac=300, pv=100, ev=120, ac=100)])
    assert partial.ETC_bottom_up is None and partial.reason("ETC_bottom_up") == "no bottom-up ETC given"
    assert partial.EAC_tcpi == partial.EAC_cpi and not partial.EAC_tcpi_given
    empty = evm.rollup([])
    assert (empty.BAC, empty.EV, empty.CPI, empty.ETC_bottom_up) == (0, 0, None, None)
