"""`run`'s options applied to the one-off's service (orchestrator/oneoff.py)."""

from __future__ import annotations

from composer.orchestrator.oneoff import apply_run_settings


def test_run_options_add_to_the_service_and_cancel_each_others_capabilities() -> None:
    service = {
        "image": "x",
        "labels": {"a": "1"},
        "volumes": [{"type": "volume", "source": "data", "target": "/data"}],
        "cap_add": ["NET_ADMIN"],
        "cap_drop": ["CHOWN"],
    }
    bind = {"type": "bind", "source": "/src", "target": "/src"}
    port = {"target": 81, "published": "8081", "protocol": "tcp", "mode": "ingress"}
    settings = {
        "container_name": "custom",
        "user": "1000:1000",
        "labels": {"b": "2"},
        "volumes": [bind],
        "ports": [port],
        "cap_add": ["CHOWN"],
        "cap_drop": ["NET_ADMIN", "NET_RAW"],
    }
    applied = apply_run_settings(service, settings)
    assert applied == {
        "image": "x",
        "container_name": "custom",
        "user": "1000:1000",
        "labels": {"a": "1", "b": "2"},
        "volumes": [service["volumes"][0], bind],  # type: ignore[index]
        "ports": [port],
        "cap_add": ["CHOWN"],
        "cap_drop": ["NET_ADMIN", "NET_RAW"],
    }
    assert service["labels"] == {"a": "1"}  # the service itself is left as it was
    assert apply_run_settings(service, {"container_name": None, "labels": {}}) == service


def test_the_stream_settings_of_run_replace_the_service_s() -> None:
    service = {"image": "x", "tty": True, "stdin_open": False}
    applied = apply_run_settings(service, {"tty": False, "stdin_open": True})
    assert (applied["tty"], applied["stdin_open"]) == (False, True)
    assert "tty" not in apply_run_settings({"image": "x"}, {})
