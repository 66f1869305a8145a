"""`stats` on the process runtime: a real process group measured from /proc."""

from __future__ import annotations

import subprocess
import time

from composer.runtimes.docker.stats import bytes_size
from composer.runtimes.process.state import InstanceRecord, start_ticks
from composer.runtimes.process.stats import mem_total, project_stats

BUSY = "sleep 3 & i=0; while [ $i -lt 3000000 ]; do i=$((i+1)); done; wait"


def test_a_busy_group_and_a_stopped_instance() -> None:
    """Two members, CPU near one busy CPU, resident memory against MemTotal, no
    network of its own; a stopped instance is zeros, as Docker prints one; newest
    start first."""
    proc = subprocess.Popen(["sh", "-c", BUSY], start_new_session=True)
    try:
        time.sleep(0.2)
        ticks = start_ticks(proc.pid)
        running = InstanceRecord(
            "p", "web", pid=proc.pid, pgid=proc.pid, start_ticks=ticks, started_at=time.time()
        )
        stopped = InstanceRecord("p", "db", started_at=time.time() - 60)
        rows = project_stats([(stopped, False), (running, True)], trunc=False)
    finally:
        proc.kill()  # only the shell we started; its `sleep 3` ends by itself
        proc.wait()
    busy, idle = rows
    assert busy["Name"] == "p-web-1" and busy["PIDs"] == "2" and busy["NetIO"] == "--"
    assert float(busy["CPUPerc"].rstrip("%")) > 20.0
    used, limit = busy["MemUsage"].split(" / ")
    assert limit == bytes_size(mem_total()) and used != "0B"
    assert len(busy["ID"]) == 64 and busy["Container"] == busy["ID"]
    assert idle == {
        "BlockIO": "0B / 0B",
        "CPUPerc": "0.00%",
        "Container": idle["Container"],
        "ID": idle["Container"],
        "MemPerc": "0.00%",
        "MemUsage": "0B / 0B",
        "Name": "p-db-1",
        "NetIO": "0B / 0B",
        "PIDs": "0",
    }
