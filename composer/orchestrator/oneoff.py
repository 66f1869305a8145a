"""What `run`'s options change in the service a one-off is made from, as the
reference's applyRunOptions does: `--name` names the container, `-u` sets the user,
`-l` adds labels, `-v` and `-p` add mounts and published ports, `--cap-add` and
`--cap-drop` add capabilities and take them out of the other list; `-i` and the TTY
decision set `stdin_open` and `tty`.

Pure: the settings arrive in long syntax (the CLI parses `-v`/`-p` with the loader's
own short-syntax readers), and the service mapping is copied, never changed.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

# `run -d --rm`: the one-off removes itself when it exits (an extension key, which
# only the Docker translation reads: the engine's AutoRemove).
REMOVE_ON_EXIT = "x-composer-remove-on-exit"
# `run --use-aliases`: the one-off answers to the service's name and aliases on its
# networks, as the service's own instances do (read by the Docker translation).
USE_ALIASES = "x-composer-use-aliases"


def apply_run_settings(service: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The service with `settings` (keys: container_name, user, labels, volumes,
    ports, cap_add, cap_drop, remove_on_exit, use_aliases, tty, stdin_open) applied."""
    config = dict(service)
    for key in ("container_name", "user"):
        if settings.get(key):
            config[key] = settings[key]
    if settings.get("labels"):
        config["labels"] = {**(config.get("labels") or {}), **settings["labels"]}
    for key in ("volumes", "ports"):
        if settings.get(key):
            config[key] = [*(config.get(key) or []), *settings[key]]
    added, dropped = list(settings.get("cap_add") or []), list(settings.get("cap_drop") or [])
    if added:
        config["cap_add"] = [*(config.get("cap_add") or []), *added]
        config["cap_drop"] = [c for c in config.get("cap_drop") or [] if c not in added]
    if dropped:
        config["cap_drop"] = [*(config.get("cap_drop") or []), *dropped]
        config["cap_add"] = [c for c in config.get("cap_add") or [] if c not in dropped]
    for key in ("cap_add", "cap_drop"):
        if key in config and not config[key]:
            del config[key]
    if settings.get("remove_on_exit"):
        config[REMOVE_ON_EXIT] = True
    if settings.get("use_aliases"):
        config[USE_ALIASES] = True
    for key in ("tty", "stdin_open"):  # `-T`/`-i` decide, whatever the service says
        if key in settings:
            config[key] = bool(settings[key])
    return config
