"""What `ls` and `images` make of the engine's answers (composer/runtimes/docker/
listing.py), without an engine: the reference's grouping, image reference parsing
(distribution/reference's ParseDockerRef + FamiliarName), sizes and times."""

from __future__ import annotations

import time
from typing import Any

import pytest

from composer.runtimes.base import ProjectSummary
from composer.runtimes.docker import labels as lb
from composer.runtimes.docker.listing import (
    ImageSummary,
    canonical_name,
    go_time,
    image_summary,
    platform_of,
    project_summaries,
    repository_and_tag,
)
from composer.runtimes.docker.states import parse_time

ID = "ce64a671ab70b93547ee1bc6516e823d1bb6a0c0780719a273659ef8a4106d48"


def container(name: str, project: str, state: str, files: str | None) -> dict[str, Any]:
    labels = {lb.PROJECT: project, lb.CONFIG_HASH: "x"}
    if files is not None:
        labels[lb.CONFIG_FILES] = files
    return {"Id": f"id-{name}", "Names": [f"/{name}"], "State": state, "Labels": labels}


def test_projects_are_grouped_sorted_and_summed_up() -> None:
    found = project_summaries(
        [
            container("b-x-1", "b", "running", "/b/compose.yaml,/b/extra.yaml"),
            container("a-x-1", "a", "exited", "/a/compose.yaml"),
            container("b-x-2", "b", "exited", "/b/compose.yaml"),
            container("a-y-1", "a", "running", "/a/compose.yaml"),
            container("a-y-2", "a", "running", "/a/compose.yaml"),
        ]
    )
    assert found == [
        ProjectSummary("a", "exited(1), running(2)", "/a/compose.yaml"),
        ProjectSummary("b", "exited(1), running(1)", "/b/compose.yaml,/b/extra.yaml"),
    ]


def test_a_container_without_the_config_files_label_is_warned_about() -> None:
    (found,) = project_summaries(
        [container("h-1", "h", "running", "/h/c.yml"), container("h-2", "h", "running", None)]
    )
    assert found.config_files == "N/A"
    assert found.warning == (
        'no label "com.docker.compose.project.config_files" set on container "id-h-2" '
        "of compose project"
    )


def test_the_canonical_name_is_the_one_that_is_no_link_alias() -> None:
    assert canonical_name({"Names": ["/web/db-alias", "/p-db-1"]}) == "p-db-1"
    assert canonical_name({"Names": ["/a/b"]}) == "a/b"
    assert canonical_name({"Id": ID, "Names": []}) == ID[:12]


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("composer-test/busybox", ("composer-test/busybox", "latest")),
        ("busybox", ("busybox", "latest")),
        ("busybox:1.36", ("busybox", "1.36")),
        ("library/busybox:1", ("busybox", "1")),
        ("docker.io/library/busybox:1", ("busybox", "1")),
        ("index.docker.io/library/busybox", ("busybox", "latest")),
        ("docker.io/library/a/b", ("library/a/b", "latest")),
        ("docker.io/composer-test/busybox:latest", ("composer-test/busybox", "latest")),
        ("localhost/app", ("localhost/app", "latest")),
        ("registry.example.com:5000/team/app:v2", ("registry.example.com:5000/team/app", "v2")),
        (f"busybox@sha256:{ID}", ("busybox", "")),
        (f"busybox:1@sha256:{ID}", ("busybox", "")),  # a digest wins over the tag
        ("0b3105ab0d9f", ("0b3105ab0d9f", "latest")),  # a short id reads as a name
        (f"sha256:{ID}", ("sha256", ID)),  # and so does an id with its algorithm
        (ID, ("", "")),  # a full id is refused
        ("Busybox", ("", "")),  # upper case
        ("busybox@sha256:abc", ("", "")),  # a digest of the wrong length
        ("", ("", "")),
    ],
)
def test_repository_and_tag_read_references_as_the_reference(
    image: str, expected: tuple[str, str]
) -> None:
    assert repository_and_tag(image) == expected


def test_platform_and_times() -> None:
    assert platform_of({"Os": "linux", "Architecture": "arm64", "Variant": "v8"}) == (
        "linux/arm64/v8"
    )
    assert platform_of({"Os": "linux", "Architecture": "amd64"}) == "linux/amd64"
    assert platform_of({}) == "unknown"
    assert go_time("2024-01-02T03:04:05.120000000Z") == "2024-01-02T03:04:05.12Z"
    assert go_time("2024-01-02T03:04:05.000Z") == "2024-01-02T03:04:05Z"
    assert go_time("2024-01-02T03:04:05.5+01:00") == "2024-01-02T03:04:05.5+01:00"
    assert go_time("2024-01-02T03:04:05Z") == "2024-01-02T03:04:05Z"


def _image(last_tag_time: str) -> ImageSummary:
    summary = {"Id": "c1", "Names": ["/p-web-1"], "Image": "composer-test/busybox"}
    info = {
        "Id": f"sha256:{ID}",
        "Os": "linux",
        "Architecture": "amd64",
        "Size": 1984320,
        "Created": "2024-01-02T03:04:05.659422157Z",
        "Metadata": {"LastTagTime": last_tag_time},
    }
    return image_summary(summary, info)


def test_an_image_row_as_the_table_and_json_show_it() -> None:
    image = _image("2024-01-02T05:04:05.670392398Z")
    now = parse_time("2024-01-02T08:04:06Z") or time.time()
    assert image.cells(now) == [
        "p-web-1",
        "composer-test/busybox",
        "latest",
        "linux/amd64",
        ID[:12],
        "1.98MB",
        "3 hours ago",
    ]
    assert image.json() == {
        "ID": f"sha256:{ID}",
        "ContainerName": "p-web-1",
        "Repository": "composer-test/busybox",
        "Tag": "latest",
        "Platform": "linux/amd64",
        "Size": 1984320,
        "LastTagTime": "2024-01-02T05:04:05.670392398Z",
    }


def test_an_image_never_tagged_is_292_years_old_but_reports_its_creation() -> None:
    image = _image("0001-01-01T00:00:00Z")
    assert image.cells(time.time())[-1] == "292 years ago"
    assert image.json()["LastTagTime"] == "2024-01-02T03:04:05.659422157Z"
    nameless = image._replace(repository="", tag="")
    assert nameless.cells(time.time())[1:3] == ["<none>", "<none>"]
