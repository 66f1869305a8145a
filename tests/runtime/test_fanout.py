"""fan_out: the orchestrator's parallel work on real threads."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from composer.orchestrator.fanout import Pacer, fan_out


def test_failures_come_back_in_item_order_for_unhashable_items() -> None:
    items = [{"n": n} for n in range(6)]  # dicts: not hashable
    done: list[int] = []
    lock = threading.Lock()

    def work(item: dict[str, int]) -> None:
        time.sleep(0.01 * (6 - item["n"]))  # later items finish first
        if item["n"] % 2:
            raise ValueError(f"odd {item['n']}")
        with lock:
            done.append(item["n"])

    failures = fan_out(items, work, max_workers=6)
    assert [(item["n"], str(exc)) for item, exc in failures] == [
        (1, "odd 1"),
        (3, "odd 3"),
        (5, "odd 5"),
    ]
    assert sorted(done) == [0, 2, 4]


def test_at_most_max_workers_run_at_once() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def work(_: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    assert fan_out(list(range(10)), work, max_workers=3) == []
    assert peak == 3


def test_ctrl_c_stops_handing_out_items_and_sets_cancel() -> None:
    cancel = threading.Event()
    started: list[int] = []

    def work(item: int) -> None:
        started.append(item)
        if item == 0:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C reaches the waiting main thread
        cancel.wait(5)

    with pytest.raises(KeyboardInterrupt):
        fan_out(list(range(8)), work, max_workers=2, cancel=cancel)
    assert cancel.is_set()
    time.sleep(0.1)
    assert len(started) <= 4  # the two running items, and at most one more each


def test_a_pacer_hands_out_turns_spacing_apart_in_the_order_asked() -> None:
    pacer = Pacer(0.05)
    turns: list[float] = []
    lock = threading.Lock()
    begun = time.monotonic()

    def take(_: int) -> None:
        pacer.wait_turn()
        now = time.monotonic()
        with lock:
            turns.append(now)

    assert fan_out(list(range(5)), take, max_workers=5) == []
    # each thread is at or after its own turn, and the turns are 0.05 s apart
    for index, moment in enumerate(sorted(turns)):
        assert moment >= begun + index * 0.05


def test_a_pacer_without_spacing_and_one_squeezed_into_a_spread() -> None:
    assert Pacer(0).spacing == 0
    assert Pacer.within(0.025, 10, 0.5).spacing == 0.025  # 9 gaps fit in 0.5 s
    assert Pacer.within(0.025, 30, 0.5).spacing == pytest.approx(0.5 / 29)
    assert Pacer.within(0.025, 1, 0.5).spacing == 0.025
