"""Getting a service's image onto the engine: use it, pull it, or build it.

`image_action` is the pure decision (pull_policy, `build:`, `--build`/`--no-build`,
`--pull`, the age of the local image); `pull_image` and `build_image` carry it out
through the SDK with errors that name the service and the image. Builds use the
engine's classic builder (the SDK has no BuildKit session): build options that only
BuildKit has are reported, never silently dropped.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Mapping

from composer.errors import ComposerError
from composer.record import NamedTuple
from composer.runtimes.docker import labels as lb

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (PEP 781)
if TYPE_CHECKING:
    from typing import Any

USE, PULL, BUILD = "use", "pull", "build"
PULL_THEN_BUILD = "pull-then-build"

# pull_policy values (compose-go's) and what they mean when the image exists.
_REFRESH = {"daily": 86400.0, "weekly": 7 * 86400.0}

# Build options the classic builder cannot honour, with what happens instead.
BUILDKIT_ONLY: dict[str, str] = {
    "ssh": "SSH agent forwarding needs BuildKit",
    "secrets": "build secrets need BuildKit",
    "additional_contexts": "additional build contexts need BuildKit",
    "cache_to": "cache export needs BuildKit",
    "entitlements": "entitlements need BuildKit",
    "privileged": "privileged builds need BuildKit",
    "ulimits": "build ulimits are not supported by the classic builder",
    "provenance": "provenance attestations need BuildKit",
    "sbom": "SBOM attestations need BuildKit",
}


class ImageError(ComposerError):
    """The image of a service could not be found, pulled or built; `reason` is the
    engine's own words (what the reference shows on the service's progress line)."""

    reason = ""


class ImageRequest(NamedTuple):
    """What `up` was told about images (`--build`, `--no-build`, `--pull POLICY`)."""

    build: bool | None = None  # True: --build, False: --no-build
    pull: str | None = None  # --pull always|missing|never
    no_cache: bool = False  # `build --no-cache`
    memory: int | None = None  # `build --memory`: bytes for the build container


NO_REQUEST = ImageRequest()  # neither --build, --no-build nor --pull


def _refresh_seconds(policy: str) -> float | None:
    if policy in _REFRESH:
        return _REFRESH[policy]
    if policy.startswith("every_"):
        from composer.loader.units import parse_duration

        try:
            return parse_duration(policy[len("every_") :]) / 1e9
        except ComposerError:
            return None
    return None


def image_action(
    service_name: str,
    service: Mapping[str, Any],
    *,
    exists: bool,
    tagged_at: float | None = None,
    request: ImageRequest = NO_REQUEST,
    now: float | None = None,
) -> str:
    """USE, PULL, BUILD or PULL_THEN_BUILD for one service; ImageError when impossible."""
    has_build = service.get("build") is not None
    image = str(service.get("image") or "")
    policy = str(request.pull or service.get("pull_policy") or "missing")
    if policy == "if_not_present":
        policy = "missing"
    if has_build and request.build is True:
        return BUILD
    if policy == "build":
        if not has_build:
            raise ImageError(
                f'service "{service_name}": pull_policy is "build" but there is no build section',
                code="image-build",
                path=("services", service_name, "pull_policy"),
            )
        if request.build is not False:
            return BUILD
    if policy == "never" or (has_build and request.build is False and not exists):
        if exists:
            return USE
        reason = "--no-build was given" if request.build is False else 'pull_policy is "never"'
        raise ImageError(
            f'service "{service_name}": image "{image or "(built)"}" not found locally and {reason}',
            code="image-missing",
            path=("services", service_name, "image"),
            hint="build or pull it first (composer up --build, docker pull)",
        )
    if policy == "always":
        return PULL_THEN_BUILD if has_build else PULL
    if not exists:
        return BUILD if has_build else PULL
    refresh = _refresh_seconds(policy)
    if refresh is not None and tagged_at is not None:
        if (now if now is not None else time.time()) - tagged_at >= refresh:
            return PULL_THEN_BUILD if has_build else PULL
    return USE


# ---------------------------------------------------------------- engine side


Progress = Callable[[str, str], None]  # (status, detail)


def _explain(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    if explanation:
        return str(explanation.decode() if isinstance(explanation, bytes) else explanation)
    return str(exc)


def inspect_image(api: Any, image: str) -> dict[str, Any] | None:
    """The engine's image record, or None when the image is not there (a 404 from
    the lean client or the SDK: neither needs the other imported)."""
    from composer.runtimes.docker.wire import is_api_error

    try:
        info: dict[str, Any] = api.inspect_image(image)
        return info
    except Exception as exc:
        if is_api_error(exc) and getattr(exc, "status_code", None) == 404:
            return None
        raise


def tagged_at(info: Mapping[str, Any] | None) -> float | None:
    """When the image was last tagged (pulled), for daily/weekly refresh policies."""
    if not info:
        return None
    from composer.runtimes.docker.states import parse_time

    stamp = (info.get("Metadata") or {}).get("LastTagTime") or info.get("Created")
    return parse_time(str(stamp)) if stamp else None


def pull_image(
    api: Any,
    service_name: str,
    image: str,
    *,
    platform: str | None = None,
    progress: Progress | None = None,
) -> None:
    """`docker pull` through the SDK; ImageError naming the service and image on failure."""
    import docker.errors
    from docker.utils import parse_repository_tag

    repository, tag = parse_repository_tag(image)
    if progress:
        progress("Pulling", "")
    try:
        stream: Iterable[dict[str, Any]] = api.pull(
            repository, tag=tag or "latest", stream=True, decode=True, platform=platform
        )
        for event in stream:
            if event.get("error"):
                raise pull_failed(service_name, image, str(event["error"]))
    except docker.errors.APIError as exc:
        raise pull_failed(service_name, image, _explain(exc)) from None
    if progress:
        progress("Pulled", "")


def pull_failed(service_name: str, image: str, reason: str) -> ImageError:
    error = ImageError(
        f'service "{service_name}": cannot pull image "{image}": {reason}',
        code="image-pull",
        path=("services", service_name, "image"),
        hint="the registry is unreachable or refuses the image: build it locally, "
        "or set pull_policy: never to use an image that is already on the engine",
    )
    error.reason = reason
    return error


# ---------------------------------------------------------------- `composer pull`

NO_IMAGE = "Skipped - No image to be pulled"
SKIPPED = "Skipped"
PRESENT = "Skipped - Image is already present locally"
BUILDABLE = "Skipped - Image can be built"
BEING_PULLED = "Skipped - Image is already being pulled by {}"


def pinned_tag(image: str) -> bool:
    """An explicit tag other than `latest` and no digest: the only images the
    reference's `pull` skips as present under pull_policy missing (a `latest` may
    have moved on)."""
    if "@" in image:
        return False
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag != "latest"


def pull_choices(
    services: Mapping[str, Mapping[str, Any]],
    names: Iterable[str],
    *,
    policy: str | None,
    ignore_buildable: bool,
    present: Callable[[str], bool],
) -> list[tuple[str, str | None]]:
    """What `pull` does per service, by name: None to pull its image, or the
    reference's `Skipped ...` text. One pull per image (the first service by name
    pulls it); `policy` (`--policy`) stands for every service's pull_policy."""
    choices: list[tuple[str, str | None]] = []
    pulled_by: dict[str, str] = {}
    for name in sorted(names):
        service = services[name]
        image = str(service.get("image") or "")
        pull_policy = str(policy or service.get("pull_policy") or "")
        skip: str | None = None
        if not image:
            skip = NO_IMAGE
        elif pull_policy in ("never", "build"):
            skip = SKIPPED
        elif pull_policy in ("missing", "if_not_present") and pinned_tag(image) and present(image):
            skip = PRESENT
        elif service.get("build") is not None and ignore_buildable:
            skip = BUILDABLE
        elif image in pulled_by:
            skip = BEING_PULLED.format(pulled_by[image])
        else:
            pulled_by[image] = name
        choices.append((name, skip))
    return choices


def build_warnings(service_name: str, build: Mapping[str, Any]) -> list[str]:
    """What the classic builder will not do for this build section."""
    warnings = []
    for key, reason in BUILDKIT_ONLY.items():
        if build.get(key) not in (None, "", [], {}, False):
            warnings.append(f'service "{service_name}": build.{key} is ignored: {reason}')
    platforms = build.get("platforms") or []
    if len(platforms) > 1:
        warnings.append(
            f'service "{service_name}": build.platforms lists several platforms; '
            "the classic builder builds one (the service's platform)"
        )
    return warnings


def _is_remote(context: str) -> bool:
    return context.startswith(("http://", "https://", "git://", "github.com/", "git@"))


def build_args(
    project: str, service_name: str, build: Mapping[str, Any], tag: str, platform: str | None
) -> dict[str, Any]:
    """Keyword arguments of the SDK's `APIClient.build` for a build section."""
    context = str(build.get("context") or ".")
    args: dict[str, Any] = {
        "path": context,
        "tag": tag,
        "rm": True,
        "forcerm": True,
        "decode": True,
        "labels": lb.image_labels(project, service_name, build.get("labels")),
    }
    if build.get("dockerfile") and not build.get("dockerfile_inline"):
        args["dockerfile"] = str(build["dockerfile"])
    buildargs = {str(k): str(v) for k, v in (build.get("args") or {}).items() if v is not None}
    if buildargs:
        args["buildargs"] = buildargs
    if build.get("target"):
        args["target"] = str(build["target"])
    if build.get("network"):
        args["network_mode"] = str(build["network"])
    if build.get("shm_size"):
        from composer.runtimes.docker.context import to_bytes

        args["shmsize"] = to_bytes(build["shm_size"])
    if build.get("extra_hosts"):
        hosts: dict[str, str] = {}
        entries = build["extra_hosts"]
        for entry in (
            entries if isinstance(entries, list) else [f"{k}={v}" for k, v in entries.items()]
        ):
            name, sep, address = str(entry).partition("=")
            if not sep:
                name, _, address = str(entry).partition(":")
            hosts[name] = address
        args["extra_hosts"] = hosts
    if build.get("cache_from"):
        args["cache_from"] = [str(c) for c in build["cache_from"]]
    if build.get("no_cache"):
        args["nocache"] = True
    if build.get("pull"):
        args["pull"] = True
    if build.get("isolation"):
        args["isolation"] = str(build["isolation"])
    if platform:
        args["platform"] = platform
    return args


def build_image(
    api: Any,
    project: str,
    service_name: str,
    build: Mapping[str, Any],
    tag: str,
    *,
    platform: str | None = None,
    progress: Progress | None = None,
    no_cache: bool = False,
    memory: int | None = None,
) -> str:
    """Build `tag` from a service's build section; the new image id."""
    import docker.errors

    args = build_args(project, service_name, build, tag, platform)
    if no_cache:
        args["nocache"] = True
    if memory is not None:
        args["container_limits"] = {"memory": memory}
    context = args["path"]
    if not _is_remote(context) and not os.path.isdir(context):
        raise ImageError(
            f'service "{service_name}": build context "{context}" is not a directory',
            code="image-build",
            path=("services", service_name, "build", "context"),
        )
    inline_file: str | None = None
    if build.get("dockerfile_inline"):
        import tempfile  # only for dockerfile_inline: kept off every Docker command's start

        handle, inline_file = tempfile.mkstemp(prefix="composer-dockerfile-")
        with os.fdopen(handle, "w") as out:
            out.write(str(build["dockerfile_inline"]))
        args["dockerfile"] = inline_file  # outside the context: the SDK inlines it
    if progress:
        progress("Building", "")
    tail: list[str] = []
    image_id = ""
    try:
        for event in api.build(**args):
            if "stream" in event:
                for line in str(event["stream"]).splitlines():
                    if line.strip():
                        tail = [*tail[-9:], line]
                        if line.startswith("Successfully built "):
                            image_id = line.split()[-1]
            if "aux" in event and isinstance(event["aux"], dict) and event["aux"].get("ID"):
                image_id = str(event["aux"]["ID"])
            if event.get("error"):
                detail = "\n".join(f"    {t}" for t in tail)
                raise ImageError(
                    f'service "{service_name}": failed to build image "{tag}": {event["error"].strip()}'
                    + (f"\n{detail}" if detail else ""),
                    code="image-build",
                    path=("services", service_name, "build"),
                )
    except docker.errors.APIError as exc:
        raise ImageError(
            f'service "{service_name}": failed to build image "{tag}": {_explain(exc)}',
            code="image-build",
            path=("services", service_name, "build"),
        ) from None
    except (OSError, TypeError) as exc:
        raise ImageError(
            f'service "{service_name}": cannot read the build context "{context}": {exc}',
            code="image-build",
            path=("services", service_name, "build", "context"),
        ) from None
    finally:
        if inline_file is not None:
            with contextlib.suppress(OSError):
                os.unlink(inline_file)
    for extra in build.get("tags") or []:
        from docker.utils import parse_repository_tag

        repository, extra_tag = parse_repository_tag(str(extra))
        api.tag(tag, repository, extra_tag or "latest")
    if progress:
        progress("Built", "")
    info = inspect_image(api, tag)
    return str(info["Id"]) if info else image_id


def with_build_options(
    services: Mapping[str, Any],
    names: Iterable[str],
    args: Mapping[str, str],
    pull: bool,
) -> dict[str, Any]:
    """The services with `build --build-arg` (over each build section's `args`) and
    `build --pull` applied to the build sections of `names`, as the reference
    applies its build options; the others as they are."""
    chosen = set(names)
    result = dict(services)
    for name in chosen:
        build = (services.get(name) or {}).get("build")
        if build is None:
            continue
        build = dict(build)
        if args:
            build["args"] = {**(build.get("args") or {}), **args}
        if pull:
            build["pull"] = True
        result[name] = {**services[name], "build": build}
    return result
