"""`python -m composer`."""

from composer.cli.app import run

run()
