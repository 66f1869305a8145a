"""`cp` on Docker: a container's side of the copy is the engine's archive API.

HEAD /containers/{id}/archive?path= stats a path (the X-Docker-Container-Path-Stat
header), GET returns a tar of it with that header, PUT extracts a tar into a folder
(`noOverwriteDirNonDir=true` as the reference always sends it, `copyUIDGID=true`
for `cp -a`). The SDK streams these answers (the lean wire client reads whole
answers), so they go through it: `WireClient.sdk()` on a unix socket or plain TCP,
the SDK client itself otherwise. The client's rules are composer/runtimes/copying.py.
"""

from __future__ import annotations

from composer.runtimes.copying import CopyError, PathStat
from composer.runtimes.docker.connection import engine_address, unreachable
from composer.runtimes.docker.wire import WireClient, is_api_error, is_connection_error

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any, BinaryIO

CHUNK = 1 << 16


def sdk_client(api: Any) -> Any:
    """The SDK APIClient behind the backend's client."""
    return api.sdk() if isinstance(api, WireClient) else api


class EngineFiles:
    """One container's files through the engine."""

    def __init__(self, api: Any, ident: str, env: Mapping[str, str]) -> None:
        self.ident = ident  # the container id, which the reference's messages show
        self._sdk = sdk_client(api)
        self._env = env

    def _failed(self, exc: Exception) -> Exception:
        """An engine error as the reference prints it, or the unreachable engine."""
        if is_api_error(exc):
            explanation = getattr(exc, "explanation", None) or str(exc)
            if isinstance(explanation, bytes):
                explanation = explanation.decode(errors="replace")
            return CopyError(f"Error response from daemon: {explanation}", code="docker-engine")
        if is_connection_error(exc):
            return unreachable(engine_address(self._env), exc)
        return exc

    def _url(self) -> str:
        return str(self._sdk._url("/containers/{0}/archive", self.ident))

    def stat(self, path: str) -> PathStat | None:
        from docker.utils import decode_json_header

        try:
            answer = self._sdk.head(self._url(), params={"path": path})
        except Exception as exc:  # noqa: BLE001 - sorted by _failed
            raise self._failed(exc) from None
        header = answer.headers.get("X-Docker-Container-Path-Stat")
        if answer.status_code != 200 or not header:
            return None  # the reference goes on as if the path were missing
        return PathStat.from_header(decode_json_header(header))

    def get(self, path: str, out: BinaryIO) -> PathStat:
        try:
            chunks, header = self._sdk.get_archive(self.ident, path, chunk_size=CHUNK)
            for chunk in chunks:
                out.write(chunk)
        except Exception as exc:  # noqa: BLE001 - sorted by _failed
            raise self._failed(exc) from None
        out.flush()
        return PathStat.from_header(header) or PathStat(path)

    def put(self, directory: str, content: BinaryIO, *, copy_uid_gid: bool) -> None:
        params = {"path": directory, "noOverwriteDirNonDir": "true"}
        if copy_uid_gid:
            params["copyUIDGID"] = "true"
        try:
            answer = self._sdk._put(self._url(), params=params, data=_chunks(content))
            self._sdk._raise_for_status(answer)
        except Exception as exc:  # noqa: BLE001 - sorted by _failed
            raise self._failed(exc) from None


def _chunks(content: BinaryIO) -> Iterator[bytes]:
    """The body as chunks (sent with chunked transfer encoding, whatever its size)."""
    while chunk := content.read(CHUNK):
        yield chunk
