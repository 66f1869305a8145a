"""The Docker CLI's ps field formats (composer/runtimes/psformat.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from composer.runtimes.psformat import created_at, ellipsis, human_duration, human_size, tabulate

HOUR, DAY = 3600, 86400


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "Less than a second"),
        (1, "1 second"),
        (1.9, "1 second"),
        (59, "59 seconds"),
        (61, "About a minute"),
        (119, "About a minute"),
        (120, "2 minutes"),
        (3599, "59 minutes"),
        (3600, "About an hour"),
        (5399, "About an hour"),  # go-units rounds hours: 1.4999 h is one
        (5400, "2 hours"),
        (7200, "2 hours"),
        (47 * HOUR + 1799, "47 hours"),
        (47 * HOUR + 1800, "2 days"),
        (200000, "2 days"),
        (14 * DAY, "2 weeks"),
        (60 * DAY, "2 months"),
        (730 * DAY, "2 years"),
    ],
)
def test_human_duration_is_go_units(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_ellipsis_cuts_to_the_width() -> None:
    assert ellipsis("httpd -f -p 8080 -h /var/www", 20) == "httpd -f -p 8080 -h\u2026"
    assert ellipsis("short", 20) == "short"


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_created_at_is_what_datetime_prints(zone: str) -> None:
    """The same text as datetime's local-time formatting, without importing datetime."""
    code = (
        "from datetime import datetime\n"
        "from composer.runtimes.psformat import created_at\n"
        "for stamp in (0, 1_700_000_000.75, 1_719_792_000, 1_735_689_599.999):\n"
        "    ours = created_at(stamp)\n"
        "    theirs = datetime.fromtimestamp(stamp).astimezone().strftime('%Y-%m-%d %H:%M:%S %z %Z')\n"
        "    assert ours == theirs, (stamp, ours, theirs)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "TZ": zone},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert created_at(0).startswith(("1970-01-01", "1969-12-31"))


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0B"),
        (999, "999B"),
        (999.5, "1e+03B"),  # Go's %.3g, as go-units prints it
        (1000, "1kB"),
        (1984320, "1.98MB"),
        (7_340_032, "7.34MB"),
        (123_456_789_012, "123GB"),
        (10**27, "1e+03YB"),  # no unit past yotta
    ],
)
def test_human_size_is_go_units_with_three_digits(size: float, text: str) -> None:
    assert human_size(size) == text


def test_tabulate_pads_every_cell_but_the_last_as_go_s_tabwriter() -> None:
    rows = [["NAME", "STATUS", "CONFIG FILES"], ["a-long-project-name", "running(1)", ""]]
    assert tabulate(rows, minwidth=20, padding=3) == (
        "NAME                  STATUS              CONFIG FILES\n"
        "a-long-project-name   running(1)          \n"
    )
    assert tabulate([["SERVICE", "#", "CMD"], ["a", "1", "sleep 1"]], minwidth=4, padding=2) == (
        "SERVICE  #   CMD\na        1   sleep 1\n"
    )
    assert tabulate([], minwidth=4, padding=2) == ""
