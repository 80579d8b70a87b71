"""`keel evm`: the earned-value calculator, run for real (call_command and the `keel` console script)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

BIN = Path(sys.executable).parent
EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "evm" / "evm_worked_examples.json"
SIX = Decimal("0.000001")


def keel(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `keel` console script."""
    return subprocess.run(
        [str(BIN / "keel"), *args], capture_output=True, text=True, env=os.environ, timeout=120
    )


def evm(*args: str) -> str:
    out = StringIO()
    call_command("evm", *args, stdout=out)
    return out.getvalue()


def _cases() -> list[dict]:
    if not EXAMPLES.exists():
        return []
    return [case for case in json.loads(EXAMPLES.read_text())["cases"] if case.get("computed_expected")]


def _inputs(expected: dict) -> list[str]:
    return [f"--{key.lower()}={expected[key]}" for key in ("BAC", "PV", "EV", "AC")]


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["id"])
def test_json_gives_every_computed_number_of_the_worked_examples(case):
    expected = case["computed_expected"]
    document = json.loads(evm(*_inputs(expected), "--json"), parse_float=Decimal, parse_int=Decimal)
    formulas = json.loads(EXAMPLES.read_text())["formulas"]
    assert set(formulas) | {"PV", "EV", "AC", "BAC"} <= set(document)
    for key, value in expected.items():
        if key == "estimated_duration_months":
            continue
        assert document[key] == Decimal(str(value)).quantize(SIX), key
    assert document["EAC_bottom_up"] is None  # no --etc: null, not a made-up number


def test_the_examples_file_is_here():
    if not EXAMPLES.exists():
        pytest.skip(f"{EXAMPLES} is not here (the shared test data is checked out next to the repository)")
    assert len(_cases()) == 5


def test_the_table_prints_every_metric_aligned_with_its_formula():
    text = evm("--bac", "200000", "--pv", "120000", "--ev", "100000", "--ac", "90000")
    rows = {line.split(":")[0].strip(): line for line in text.splitlines() if re.match(r"  \w+:", line)}
    assert re.search(r"CPI:\s+1\.1111\s+Cost performance index\s+EV / AC$", rows["CPI"])
    assert re.search(r"EAC_cpi:\s+180,000\.00\s+Estimate at completion\s+BAC / CPI$", rows["EAC_cpi"])
    assert re.search(r"SV_pct:\s+-16\.67 %", rows["SV_pct"])
    assert re.search(r"EAC_cpi_x_spi:\s+198,000\.00", rows["EAC_cpi_x_spi"])
    assert re.search(r"TCPI_bac:\s+0\.9091", rows["TCPI_bac"])
    # Labels start in one column, so the values (right-aligned before them) end in one column too.
    labels = {
        "BAC": "Budget at completion",
        "CPI": "Cost performance index",
        "EAC_cpi": "Estimate at completion",
        "VAC_cpi_x_spi": "VAC, cost and schedule",
        "TCPI_bac": "TCPI to BAC",
    }
    assert len({rows[name].index(label) for name, label in labels.items()}) == 1
    assert len(rows) == 21  # 4 inputs, 6 variances and indices, 9 forecasts, 2 TCPIs
    # Bottom-up metrics need --etc: not printed, and the note says how to get them.
    assert "EAC_bottom_up" not in rows and "Give --etc" in text


def test_undefined_metrics_say_why():
    text = evm("--bac", "1000", "--pv", "0", "--ev", "0", "--ac", "0")
    assert re.search(r"CPI:\s+undefined \(AC is 0\)", text)
    assert re.search(r"SPI:\s+undefined \(PV is 0\)", text)
    assert re.search(r"EAC_cpi:\s+undefined \(CPI is undefined: AC is 0\)", text)
    assert re.search(r"TCPI_bac:\s+1\.0000", text)
    document = json.loads(evm("--bac", "1000", "--pv", "0", "--ev", "0", "--ac", "0", "--json"))
    assert document["CPI"] is None and document["SPI"] is None and document["TCPI_bac"] == 1


def test_bottom_up_etc_and_eac_for_tcpi():
    args = (
        "--bac",
        "100000",
        "--pv",
        "40000",
        "--ev",
        "35000",
        "--ac",
        "40000",
        "--etc",
        "80000",
        "--eac",
        "120000",
    )
    document = json.loads(evm(*args, "--json"))
    assert (document["EAC_bottom_up"], document["ETC_bottom_up"], document["VAC_bottom_up"]) == (
        120000,
        80000,
        -20000,
    )
    assert document["TCPI_eac"] == 0.8125  # PRA's check: (100000 - 35000) / (120000 - 40000)
    assert document["TCPI_bac"] == 1.083333
    text = evm(*args)
    assert re.search(r"EAC_bottom_up:\s+120,000\.00\s+EAC, bottom-up\s+AC \+ ETC", text)
    assert "Give --etc" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bac", "-5", "--pv", "0", "--ev", "0", "--ac", "0"], "--bac: BAC must not be negative (got -5)"),
        (["--bac", "10", "--pv", "0", "--ev", "20", "--ac", "0"], "--ev: EV (20) cannot exceed BAC (10)"),
        (
            ["--bac", "10", "--pv", "0", "--ev", "0", "--ac", "0", "--etc", "-1"],
            "--etc: ETC must not be negative",
        ),
        (["--bac", "ten", "--pv", "0", "--ev", "0", "--ac", "0"], "argument --bac: 'ten' is not a number"),
        (["--bac", "nan", "--pv", "0", "--ev", "0", "--ac", "0"], "argument --bac: 'nan' is not a number"),
        (["--pv", "0", "--ev", "0", "--ac", "0"], "the following arguments are required: --bac"),
    ],
)
def test_call_command_refuses_bad_input_naming_the_option(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        evm(*args)


def test_the_console_script_prints_json_for_a_worked_example():
    result = keel("evm", "--bac", "1000", "--pv", "475", "--ev", "417.5", "--ac", "495", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    # ritetracpm-three-activities-bac-1000's computed answers.
    assert document["CPI"] == 0.843434 and document["SPI"] == 0.878947
    assert document["EAC_cpi"] == 1185.628743 and document["EAC_cpi_x_spi"] == 1280.745276
    assert document["TCPI_bac"] == 1.153465 and document["VAC_cpi"] == -185.628743


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pv", "0", "--ev", "0", "--ac", "0"], "the following arguments are required: --bac"),
        (["--bac", "1e", "--pv", "0", "--ev", "0", "--ac", "0"], "argument --bac: '1e' is not a number"),
        (
            ["--bac", "-100", "--pv", "0", "--ev", "0", "--ac", "0"],
            "--bac: BAC must not be negative (got -100)",
        ),
    ],
)
def test_the_console_script_exits_2_with_a_message_and_no_traceback(args, message):
    result = keel("evm", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


VANHOUCKE = "5,10,25,55,85,120,130,140,150,150,150"
"""Weekly cumulative PV of M. Vanhoucke's example (PM Knowledge Center, "Earned Value Management:
Forecasting time"; see tests/engines/test_evm_schedule.py): BAC 150 reached in week 9."""


def test_earned_schedule_rows_with_a_pv_curve_and_actual_time():
    """Week 5, EV 70: ES = 4 + 15/30 = 4.5, SV(t) = -0.5, SPI(t) = 0.9, IEAC(t) = 10, TSPI = 4.5/4."""
    text = evm(
        "--bac", "150", "--pv", "85", "--ev", "70", "--ac", "80", "--pv-by-period", VANHOUCKE, "--at", "5"
    )
    assert re.search(r"ES:\s+4\.50\s+Earned schedule \(periods\)", text)
    assert re.search(r"PD:\s+9\.00", text)  # the week in which the PV reaches its last value
    assert re.search(r"SV_t:\s+-0\.50", text) and re.search(r"SPI_t:\s+0\.9000", text)
    assert re.search(r"IEAC_t:\s+10\.00", text) and re.search(r"TSPI:\s+1\.1250", text)
    assert "Give --pv-by-period" not in text
    assert "Give --pv-by-period and --at for earned schedule" in evm(
        "--bac", "1", "--pv", "0", "--ev", "0", "--ac", "0"
    )


def test_earned_schedule_in_json_at_a_late_finish():
    """Finished in week 11 of 9: SV = 0 and SPI = 1, but SV(t) = -2 weeks and IEAC(t) = 11."""
    args = (
        "--bac",
        "150",
        "--pv",
        "150",
        "--ev",
        "150",
        "--ac",
        "160",
        "--pv-by-period",
        VANHOUCKE,
        "--at",
        "11",
    )
    document = json.loads(evm(*args, "--json"))
    assert (document["SV"], document["SPI"]) == (0, 1)
    assert (document["ES"], document["AT"], document["PD"], document["SV_t"], document["IEAC_t"]) == (
        9,
        11,
        9,
        -2,
        11,
    )
    assert document["SPI_t"] == 0.818182 and document["TSPI"] is None
    assert "ES" not in json.loads(evm("--bac", "1", "--pv", "0", "--ev", "0", "--ac", "0", "--json"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--at", "3"], "--pv-by-period is required for earned schedule"),
        (["--pv-by-period", "5,10"], "--at is required for earned schedule"),
        (["--pv-by-period", "5,x", "--at", "1"], "argument --pv-by-period: 'x' is not a number"),
        (["--pv-by-period", "5,4", "--at", "1"], "--pv-by-period: pv_by_period must not decrease"),
        (["--pv-by-period", "5,10", "--at", "0"], "--at: actual_time must be positive"),
        (["--pv-by-period", "5,10", "--at", "1", "--pd", "-2"], "--pd: planned_duration must be positive"),
        (
            ["--pv-by-period", "5,8", "--at", "1"],
            "--ev: EV (9) cannot exceed the planned value at completion (8)",
        ),
    ],
)
def test_earned_schedule_options_refuse_bad_input(extra, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        evm("--bac", "10", "--pv", "5", "--ev", "9", "--ac", "4", *extra)
