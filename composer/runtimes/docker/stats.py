"""`stats`: one engine stats sample (GET /containers/{id}/stats?stream=false) as the
Docker CLI v28 turns it into a row (cli/command/container/stats_helpers.go and
formatter_stats.go), so `stats --format json` and templates see the same strings.

Pure: no engine here, so the arithmetic is tested on recorded samples.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def bytes_size(size: float) -> str:
    """go-units BytesSize: binary units, `%.4g` (`824KiB`, `23.54GiB`, `0B`), as the
    CLI writes memory."""
    index = 0
    while size >= 1024.0 and index < len(BINARY_UNITS) - 1:
        size /= 1024.0
        index += 1
    return f"{size:.4g}{BINARY_UNITS[index]}"


def percentage(value: float) -> str:
    """strconv.FormatFloat(v, 'f', 2, 64) + `%`."""
    return f"{value:.2f}%"


def cpu_percent(sample: dict[str, Any]) -> float:
    """calculateCPUPercentUnix: the container's share of the host's CPU time between
    the engine's two readings, times the online CPUs (so 200% is two busy CPUs)."""
    current = sample.get("cpu_stats") or {}
    previous = sample.get("precpu_stats") or {}
    usage = current.get("cpu_usage") or {}
    cpu_delta = float(usage.get("total_usage") or 0) - float(
        (previous.get("cpu_usage") or {}).get("total_usage") or 0
    )
    system_delta = float(current.get("system_cpu_usage") or 0) - float(
        previous.get("system_cpu_usage") or 0
    )
    online = float(current.get("online_cpus") or 0) or float(len(usage.get("percpu_usage") or []))
    if system_delta > 0.0 and cpu_delta > 0.0:
        return cpu_delta / system_delta * online * 100.0
    return 0.0


def memory_usage(memory: dict[str, Any]) -> float:
    """calculateMemUsageUnixNoCache: usage minus the inactive file cache (cgroup v1
    `total_inactive_file`, v2 `inactive_file`), which the kernel can drop at once."""
    usage = int(memory.get("usage") or 0)
    stats = memory.get("stats") or {}
    if "total_inactive_file" in stats and int(stats["total_inactive_file"]) < usage:
        return float(usage - int(stats["total_inactive_file"]))
    inactive = int(stats.get("inactive_file") or 0)
    if inactive < usage:
        return float(usage - inactive)
    return float(usage)


def network_io(sample: dict[str, Any]) -> tuple[float, float]:
    """Received and sent bytes summed over the container's interfaces."""
    networks = (sample.get("networks") or {}).values()
    return (
        float(sum(int(n.get("rx_bytes") or 0) for n in networks)),
        float(sum(int(n.get("tx_bytes") or 0) for n in networks)),
    )


def block_io(sample: dict[str, Any]) -> tuple[float, float]:
    """calculateBlockIO: io_service_bytes_recursive entries whose op starts with r/R
    (read) or w/W (written)."""
    read = written = 0
    entries = (sample.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []
    for entry in entries:
        op = str(entry.get("op") or "")[:1]
        if op in ("r", "R"):
            read += int(entry.get("value") or 0)
        elif op in ("w", "W"):
            written += int(entry.get("value") or 0)
    return float(read), float(written)


def stats_row(container_id: str, sample: dict[str, Any], *, trunc: bool = True) -> dict[str, str]:
    """The statsContext fields of one sample, keyed as `--format json` writes them
    (sorted, as the CLI marshals a map). `Container` is the listed id, `ID` the
    sample's, cut to 12 characters unless `--no-trunc`; a stopped container's sample
    is all zeros, which the CLI prints as such (`0B / 0B`)."""
    from composer.runtimes.psformat import human_size

    memory = sample.get("memory_stats") or {}
    used = memory_usage(memory)
    limit = float(memory.get("limit") or 0)
    rx, tx = network_io(sample)
    read, written = block_io(sample)
    name = str(sample.get("name") or "")
    ident = str(sample.get("id") or container_id)
    return {
        "BlockIO": f"{human_size(read)} / {human_size(written)}",
        "CPUPerc": percentage(cpu_percent(sample)),
        "Container": container_id,
        "ID": ident[:12] if trunc else ident,
        "MemPerc": percentage(used / limit * 100.0 if limit else 0.0),
        "MemUsage": f"{bytes_size(used)} / {bytes_size(limit)}",
        "Name": name[1:] if len(name) > 1 else "--",
        "NetIO": f"{human_size(rx)} / {human_size(tx)}",
        "PIDs": str(int((sample.get("pids_stats") or {}).get("current") or 0)),
    }
