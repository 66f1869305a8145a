"""`stats`: engine samples (recorded from a Docker 28 engine, cgroup v1 host) turned
into the Docker CLI's strings, and the command's output forms. No engine needed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from composer.cli.commands.stats import redraw, render
from composer.cli.gotemplate import TemplateError
from composer.runtimes.docker.stats import bytes_size, cpu_percent, memory_usage, stats_row
from composer.runtimes.psformat import human_size
from tests.helpers import run_in_process

RUNNING_ID = "ce9d4b5c72671771b0c2ecfb4ceee822c6f8e23b46b1de0133a059e322e4c71e"
RUNNING: dict[str, Any] = {
    "read": "2026-11-29T20:22:50.36553178Z",
    "preread": "2026-11-29T20:22:49.362407648Z",
    "pids_stats": {"current": 3},
    "blkio_stats": {"io_service_bytes_recursive": []},
    "num_procs": 0,
    "storage_stats": {},
    "cpu_stats": {
        "cpu_usage": {"total_usage": 21829646, "percpu_usage": [11523839, 10305807]},
        "system_cpu_usage": 94130080000000,
        "online_cpus": 2,
    },
    "precpu_stats": {
        "cpu_usage": {"total_usage": 21829646, "percpu_usage": [11523839, 10305807]},
        "system_cpu_usage": 94128070000000,
        "online_cpus": 2,
    },
    "memory_stats": {
        "usage": 589824,
        "stats": {"inactive_file": 0, "total_inactive_file": 0, "rss": 163840},
        "limit": 25276059648,
    },
    "name": "/stx-b-1",
    "id": RUNNING_ID,
    "networks": {"eth0": {"rx_bytes": 1142, "tx_bytes": 0}},
}
# A stopped container: the engine answers with zeros and no networks.
STOPPED: dict[str, Any] = {
    "read": "0001-01-01T00:00:00Z",
    "pids_stats": {},
    "blkio_stats": {"io_service_bytes_recursive": None},
    "cpu_stats": {"cpu_usage": {"total_usage": 0}},
    "precpu_stats": {"cpu_usage": {"total_usage": 0}},
    "memory_stats": {},
    "name": "/stx-a-1",
    "id": "2e5b2fdbed6db7076cf181dd1942d5f052419839976f697ecce0187a5ee80b24",
}


def test_a_running_sample_as_the_reference_printed_it() -> None:
    """The reference printed `576KiB / 23.54GiB`, `1.14kB / 0B`, 3 PIDs for it."""
    row = stats_row(RUNNING_ID, RUNNING)
    assert row == {
        "BlockIO": "0B / 0B",
        "CPUPerc": "0.00%",
        "Container": RUNNING_ID,
        "ID": "ce9d4b5c7267",
        "MemPerc": "0.00%",
        "MemUsage": "576KiB / 23.54GiB",
        "Name": "stx-b-1",
        "NetIO": "1.14kB / 0B",
        "PIDs": "3",
    }
    assert stats_row(RUNNING_ID, RUNNING, trunc=False)["ID"] == RUNNING_ID


def test_a_stopped_sample_is_zeros() -> None:
    row = stats_row(STOPPED["id"], STOPPED)
    assert (row["MemUsage"], row["MemPerc"], row["NetIO"], row["BlockIO"], row["PIDs"]) == (
        "0B / 0B",
        "0.00%",
        "0B / 0B",
        "0B / 0B",
        "0",
    )
    assert row["Name"] == "stx-a-1" and row["CPUPerc"] == "0.00%"
    assert stats_row("x", {})["Name"] == "--"


def test_cpu_percent_from_the_two_readings() -> None:
    """Container delta over system delta, times the online CPUs (percpu_usage's
    length when the engine gives none); nothing when either delta is not positive."""
    sample = {
        "cpu_stats": {
            "cpu_usage": {"total_usage": 3_000_000, "percpu_usage": [1, 2, 3, 4]},
            "system_cpu_usage": 20_000_000,
        },
        "precpu_stats": {"cpu_usage": {"total_usage": 1_000_000}, "system_cpu_usage": 10_000_000},
    }
    assert cpu_percent(sample) == pytest.approx(80.0)
    sample["cpu_stats"]["online_cpus"] = 2
    assert cpu_percent(sample) == pytest.approx(40.0)
    sample["precpu_stats"]["system_cpu_usage"] = 30_000_000
    assert cpu_percent(sample) == 0.0


def test_memory_without_the_inactive_file_cache() -> None:
    """cgroup v1's total_inactive_file first, then v2's inactive_file; the usage
    itself when the cache is not below it."""
    assert memory_usage({"usage": 1000, "stats": {"total_inactive_file": 300}}) == 700
    assert memory_usage({"usage": 1000, "stats": {"inactive_file": 400}}) == 600
    v1_too_big = {"total_inactive_file": 5000, "inactive_file": 100}
    assert memory_usage({"usage": 1000, "stats": v1_too_big}) == 900
    assert memory_usage({"usage": 1000, "stats": {"inactive_file": 1000}}) == 1000
    assert memory_usage({}) == 0


def test_network_and_block_io_are_summed() -> None:
    sample = dict(
        RUNNING,
        networks={"eth0": {"rx_bytes": 1500, "tx_bytes": 20}, "eth1": {"rx_bytes": 500}},
        blkio_stats={
            "io_service_bytes_recursive": [
                {"major": 8, "minor": 0, "op": "read", "value": 4096},
                {"major": 8, "minor": 16, "op": "Read", "value": 4096},
                {"major": 8, "minor": 0, "op": "write", "value": 1_234_567},
                {"major": 8, "minor": 0, "op": "Sync", "value": 99},
                {"major": 8, "minor": 0, "op": "", "value": 99},
            ]
        },
    )
    row = stats_row(RUNNING_ID, sample)
    assert row["NetIO"] == "2kB / 20B"
    assert row["BlockIO"] == "8.19kB / 1.23MB"


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0B"), (843776, "824KiB"), (25276059648, "23.54GiB"), (1023, "1023B"), (1536, "1.5KiB")],
)
def test_bytes_size_is_go_units(size: float, text: str) -> None:
    assert bytes_size(size) == text


@pytest.mark.parametrize(("size", "text"), [(626, "626B"), (1000, "1kB"), (1142, "1.14kB")])
def test_io_sizes_are_decimal_with_three_digits(size: float, text: str) -> None:
    assert human_size(size) == text


def test_output_forms() -> None:
    """The default table, JSON lines with sorted keys, templates with the
    reference's titles (`<no value>` for an unknown field's header)."""
    rows = [stats_row(RUNNING_ID, RUNNING), stats_row(STOPPED["id"], STOPPED)]
    table = render(rows, "table").splitlines()
    assert table[0] == (
        "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O       "
        "BLOCK I/O   PIDS"
    )
    assert table[2] == (
        "2e5b2fdbed6d   stx-a-1   0.00%     0B / 0B             0.00%     0B / 0B       "
        "0B / 0B     0"
    )
    lines = render(rows, "json").splitlines()
    assert list(json.loads(lines[0])) == sorted(json.loads(lines[0]))
    assert lines[0].startswith('{"BlockIO":"0B / 0B","CPUPerc":"0.00%","Container":"ce9d')
    fields = "table {{.Container}}\t{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}"
    header = render(rows, fields + "\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}").splitlines()[0]
    assert re.split(r"  +", header) == [
        "CONTAINER",
        "CONTAINER ID",
        "NAME",
        "CPU %",
        "MEM USAGE / LIMIT",
        "MEM %",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
    ]
    assert render(rows, "{{.Name}} {{.PIDs}}") == "stx-b-1 3\nstx-a-1 0\n"
    assert render([], "table {{.Foo}}") == "<no value>\n"
    assert render([], "json") == ""
    with pytest.raises(TemplateError, match=r"can't evaluate field Foo in type \*container"):
        render(rows, "{{.Foo}}")


def test_redraw_in_place() -> None:
    assert redraw("A\nB\n") == "\033[HA\033[K\nB\033[K\n\033[J"


def test_the_process_runtime_prints_the_same_forms(tmp_path: Path) -> None:
    """Nothing runs: the header alone, as on Docker (process/stats.py measures)."""
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: busybox\n")
    env = {"COMPOSER_STATE_DIR": str(tmp_path / ".state")}
    done = run_in_process(["stats", "--no-stream", "--runtime", "process"], tmp_path, env)
    assert done.code == 0, done
    assert done.stdout.split("   ")[0] == "CONTAINER ID" and len(done.stdout.splitlines()) == 1
