"""A container as a file or an image: `export` (the engine's export endpoint, the
container's filesystem as one tar) and `commit` (a new image of its changes), as
`docker compose export` and `docker compose commit` make them.

Functions over the API client and a container id, so DockerBackend keeps only thin
methods; engine errors are the caller's to translate (its `_engine`).
"""

from __future__ import annotations

import os

from composer.errors import ComposerError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, BinaryIO

CHUNK = 1 << 16  # bytes read from the engine at a time


def split_repository(reference: str | None) -> tuple[str | None, str | None]:
    """(repository, tag) of `REPOSITORY[:TAG]`: the tag is after the last `:` that
    follows the last `/` (`localhost:5000/app` has none); no reference, no tag (an
    untagged image, as the reference makes)."""
    if not reference:
        return None, None
    name, colon, tag = reference.rpartition(":")
    if colon and name and "/" not in tag:
        return name, tag
    return reference, None


def export_to(api: Any, container: str, out: BinaryIO) -> None:
    """Write the container's filesystem, as the engine's tar, to `out`."""
    for chunk in api.export(container, chunk_size=CHUNK):
        out.write(chunk)
    out.flush()


def export_file(api: Any, container: str, path: str) -> None:
    """The tar to `path` as the Docker CLI writes it: to a temporary file beside it
    (mode 0600) renamed over it once complete, so a failed export leaves no half tar
    and no previous file destroyed."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".docker_temp_", dir=directory)
    except OSError as exc:
        raise ComposerError(
            f"failed to export container: cannot write in {directory}: {exc.strerror}",
            code="export-output",
        ) from None
    try:
        with os.fdopen(handle, "wb") as out:
            export_to(api, container, out)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def commit(
    api: Any,
    container: str,
    reference: str | None,
    *,
    author: str | None = None,
    message: str | None = None,
    changes: Sequence[str] = (),
    pause: bool = True,
) -> str:
    """Commit the container as a new image (`reference` its REPOSITORY[:TAG], none
    for an untagged one); the image id (`sha256:...`)."""
    repository, tag = split_repository(reference)
    result = api.commit(
        container,
        repository=repository,
        tag=tag,
        message=message or None,
        author=author or None,
        pause=pause,
        changes=list(changes) or None,
    )
    return str(result.get("Id") or "")
