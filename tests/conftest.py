"""Suite-wide rules: docker-marked tests need an engine; under CI a missing one fails;
Ctrl-C can be delivered.

`.ci/run` starts dockerd and exports COMPOSER_REQUIRE_DOCKER=1, so there a test
marked `docker` fails instead of skipping when no engine answers. Elsewhere it
skips with the reason.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess

import pytest

# A shell starts a background job (`cmd &`) with SIGINT ignored, and every process
# the suite spawns would inherit that: the tests that press Ctrl-C (on Composer, on
# the reference, on fan_out here) would see nothing happen. Ctrl-C is taken back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@functools.cache
def docker_engine_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        done = subprocess.run([docker, "info"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("docker") is None:
        return
    if docker_engine_answers():
        return
    if os.environ.get("COMPOSER_REQUIRE_DOCKER") == "1" or os.environ.get("CI") == "true":
        pytest.fail("no Docker engine answers `docker info`, and this run requires one", pytrace=False)
    pytest.skip("no Docker engine answers `docker info` (scripts/docker-engine.sh starts one)")
