"""`python -m composer`."""

from composer.cli.entry import run

run()
