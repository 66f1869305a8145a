"""How `composer events` writes an engine event (the reference's Event.String() and
its --json object), in the machine's time zone as Go's time.Local."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from composer.cli.commands.events import event_json, event_line
from composer.runtimes.docker.listing import engine_time, project_event

RAW = {
    "Type": "container",
    "Action": "start",
    "Actor": {
        "ID": "abc123",
        "Attributes": {
            "name": "p-web-1",
            "image": "busybox",
            "com.docker.compose.service": "web",
            "com.docker.compose.oneoff": "False",
            "tier": "front",
        },
    },
    "time": 1_700_000_000,
    "timeNano": 1_700_000_000_123_456_700,
}


@pytest.fixture
def zone() -> Iterator[None]:
    """Berlin time (UTC+1 in November) for the duration of a test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_events_are_the_projects_containers_without_compose_labels() -> None:
    event = project_event(RAW, [])
    assert event == {
        "time_ns": 1_700_000_000_123_456_700,
        "service": "web",
        "id": "abc123",
        "action": "start",
        "attributes": {"name": "p-web-1", "image": "busybox", "tier": "front"},
    }
    assert project_event(RAW, ["db"]) is None
    oneoff = {**RAW, "Actor": {"ID": "x", "Attributes": {"com.docker.compose.oneoff": "True"}}}
    assert project_event(oneoff, []) is None
    assert project_event({**RAW, "Type": "network"}, []) is None


def test_text_and_json_forms_in_local_time(zone: None) -> None:
    event = project_event(RAW, [])
    assert event is not None
    assert event_line(event) == (
        "2023-11-14 23:13:20.123456 container start abc123 "
        "(image=busybox, name=p-web-1, tier=front)\n\n"
    )
    assert event_json(event) == (
        '{"action":"start","attributes":{"image":"busybox","name":"p-web-1","tier":"front"},'
        '"id":"abc123","service":"web","time":"2023-11-14T23:13:20.1234567+01:00",'
        '"type":"container"}\n'
    )


def test_engine_times_carry_nine_digits_of_nanoseconds() -> None:
    assert engine_time(1_700_000_000.5) == "1700000000.500000000"
    assert engine_time(12.0) == "12.000000000"
