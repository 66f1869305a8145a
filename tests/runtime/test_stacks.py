"""How `ls` sums a project up (composer/runtimes/stacks.py), the reference's rules."""

from __future__ import annotations

from composer.runtimes.stacks import NOT_RECORDED, combined_config_files, combined_status


def test_combined_status_counts_each_state_in_sorted_order() -> None:
    assert combined_status(["running"]) == "running(1)"
    assert combined_status(["running", "exited", "running"]) == "exited(1), running(2)"
    assert combined_status(["running", "paused", "created", "exited"]) == (
        "created(1), exited(1), paused(1), running(1)"
    )
    assert combined_status([]) == ""


def test_config_files_are_combined_in_listing_order_each_once() -> None:
    assert combined_config_files(["/p/a.yml,/p/b.yml", "/p/a.yml", "/p/c.yml,/p/a.yml"]) == (
        "/p/a.yml,/p/b.yml,/p/c.yml"
    )
    assert combined_config_files(["/p/b.yml", "/p/a.yml,/p/b.yml"]) == "/p/b.yml,/p/a.yml"


def test_an_instance_without_files_makes_them_unknown_and_an_empty_list_stays() -> None:
    assert combined_config_files(["/p/a.yml", None]) == NOT_RECORDED == "N/A"
    assert combined_config_files(["/a,/b,,/a", ""]) == "/a,/b,"
    assert combined_config_files([""]) == ""
