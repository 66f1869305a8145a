"""The subcommands: one module per command or family, each declaring `COMMANDS`
(composer.cli.spec.Command) and the runners they name. Free of any CLI framework.

MODULES maps each command name to its module, in the order `--help` lists them, so
the fast path imports only the module of the command it runs.
"""

from __future__ import annotations

MODULES: dict[str, str] = {
    "config": "composer.cli.commands.config",
    "graph": "composer.cli.commands.graph",
    "up": "composer.cli.commands.up",
    "create": "composer.cli.commands.up",
    "scale": "composer.cli.commands.scale",
    "down": "composer.cli.commands.down",
    "build": "composer.cli.commands.build",
    "pull": "composer.cli.commands.pull",
    "ps": "composer.cli.commands.ps",
    "ls": "composer.cli.commands.ls",
    "top": "composer.cli.commands.top",
    "stats": "composer.cli.commands.stats",
    "images": "composer.cli.commands.images",
    "volumes": "composer.cli.commands.volumes",
    "logs": "composer.cli.commands.logs",
    "port": "composer.cli.commands.port",
    "cp": "composer.cli.commands.cp",
    "export": "composer.cli.commands.snapshot",
    "commit": "composer.cli.commands.snapshot",
    "start": "composer.cli.commands.lifecycle",
    "stop": "composer.cli.commands.lifecycle",
    "restart": "composer.cli.commands.lifecycle",
    "kill": "composer.cli.commands.lifecycle",
    "rm": "composer.cli.commands.lifecycle",
    "pause": "composer.cli.commands.lifecycle",
    "unpause": "composer.cli.commands.lifecycle",
    "wait": "composer.cli.commands.lifecycle",
    "events": "composer.cli.commands.events",
    "attach": "composer.cli.commands.attach",
    "exec": "composer.cli.commands.exec_run",
    "run": "composer.cli.commands.exec_run",
    "watch": "composer.cli.commands.watch",
    "validate": "composer.cli.commands.validate",
    "validate-hook": "composer.cli.commands.validate",
    "version": "composer.cli.commands.version",
}
