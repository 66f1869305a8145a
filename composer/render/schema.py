"""The shape the reference prints: compose-go v2.9.1's typed structs, as data.

Each struct is its Go field order (which is the printed key order) with a small type
expression per field. go-yaml v3 and encoding/json walk the same structs, so one table
serves both outputs; they only differ in a few tags, written here as flags.

Type expressions
  str int f32 bool any     scalars (f32: a Go float32, printed with float32 precision)
  bytes dur                UnitBytes / Duration values: already-formatted strings here,
                           zero ("0", "0s", 0) counts as empty
  mode                     FileMode: "0440" (an int is printed as Go's "0%o")
  cmd                      ShellCommand: only nil is empty; JSON prints nil as null
  ulimit ssh envfiles      custom marshalers (see model.py)
  *T                       pointer: omitted only when missing/None
  [T]  {T}  {*T}           slice, map (None values print the zero T), map of pointers
                           (None values print null)
  Name                     a struct below; without `*` it is a value struct: YAML omits
                           it when all its fields are empty, JSON always prints it

Flags
  keep       no `omitempty` on the yaml tag (printed even when empty)
  jkeep      no `omitempty` on the json tag
  json=Key   JSON key differs from the YAML key

A struct marked `ext=False` has no inline `x-*` map (compose-go drops such keys).
Source: compose-go types/*.go, checked field by field against the reference binary.
"""

from __future__ import annotations

from composer.record import NamedTuple


class Field(NamedTuple):
    key: str
    typ: str
    flags: str = ""


class Struct(NamedTuple):
    fields: tuple[Field, ...]
    ext: bool = True


def _s(*fields: tuple[str, ...], ext: bool = True) -> Struct:
    return Struct(tuple(Field(*f) for f in fields), ext)


_FILE_REF = _s(
    ("source", "str"), ("target", "str"), ("uid", "str"), ("gid", "str"), ("mode", "*mode")
)
_UPDATE = _s(
    ("parallelism", "*int"),
    ("delay", "dur"),
    ("failure_action", "str"),
    ("monitor", "dur"),
    ("max_failure_ratio", "f32"),
    ("order", "str"),
)
_THROTTLE = _s(("path", "str", "keep jkeep json=Path"), ("rate", "bytes", "keep jkeep json=Rate"))
_FILE_OBJECT = _s(
    ("name", "str"),
    ("file", "str"),
    ("environment", "str"),
    ("content", "str"),
    ("external", "bool"),
    ("labels", "{str}"),
    ("driver", "str"),
    ("driver_opts", "{str}"),
    ("template_driver", "str"),
)

STRUCTS: dict[str, Struct] = {
    "Service": _s(
        ("profiles", "[str]"),
        ("annotations", "{str}"),
        ("attach", "*bool"),
        ("build", "*Build"),
        ("develop", "*Develop"),
        ("blkio_config", "*Blkio"),
        ("cap_add", "[str]"),
        ("cap_drop", "[str]"),
        ("cgroup_parent", "str"),
        ("cgroup", "str"),
        ("cpu_count", "int"),
        ("cpu_percent", "f32"),
        ("cpu_period", "int"),
        ("cpu_quota", "int"),
        ("cpu_rt_period", "int"),
        ("cpu_rt_runtime", "int"),
        ("cpus", "f32"),
        ("cpuset", "str"),
        ("cpu_shares", "int"),
        ("command", "cmd", "jkeep"),
        ("configs", "[FileRef]"),
        ("container_name", "str"),
        ("credential_spec", "*CredentialSpec"),
        ("depends_on", "{Dependency}"),
        ("deploy", "*Deploy"),
        ("device_cgroup_rules", "[str]"),
        ("devices", "[DeviceMapping]"),
        ("dns", "[str]"),
        ("dns_opt", "[str]"),
        ("dns_search", "[str]"),
        ("dockerfile", "str"),
        ("domainname", "str"),
        ("entrypoint", "cmd", "jkeep"),
        ("provider", "*Provider"),
        ("environment", "{*str}"),
        ("env_file", "envfiles"),
        ("expose", "[str]"),
        ("extends", "*Extends"),
        ("external_links", "[str]"),
        ("extra_hosts", "[str]"),
        ("group_add", "[str]"),
        ("gpus", "[DeviceRequest]"),
        ("hostname", "str"),
        ("healthcheck", "*Healthcheck"),
        ("image", "str"),
        ("init", "*bool"),
        ("ipc", "str"),
        ("isolation", "str"),
        ("labels", "{str}"),
        ("label_file", "[str]"),
        ("links", "[str]"),
        ("logging", "*Logging"),
        ("log_driver", "str"),
        ("log_opt", "{str}"),
        ("mem_limit", "bytes"),
        ("mem_reservation", "bytes"),
        ("memswap_limit", "bytes"),
        ("mem_swappiness", "bytes"),
        ("mac_address", "str"),
        ("models", "{*ServiceModel}"),
        ("net", "str"),
        ("network_mode", "str"),
        ("networks", "{*ServiceNetwork}"),
        ("oom_kill_disable", "bool"),
        ("oom_score_adj", "int"),
        ("pid", "str"),
        ("pids_limit", "int"),
        ("platform", "str"),
        ("ports", "[Port]"),
        ("privileged", "bool"),
        ("pull_policy", "str"),
        ("read_only", "bool"),
        ("restart", "str"),
        ("runtime", "str"),
        ("scale", "*int"),
        ("secrets", "[FileRef]"),
        ("security_opt", "[str]"),
        ("shm_size", "bytes"),
        ("stdin_open", "bool"),
        ("stop_grace_period", "*dur"),
        ("stop_signal", "str"),
        ("storage_opt", "{str}"),
        ("sysctls", "{str}"),
        ("tmpfs", "[str]"),
        ("tty", "bool"),
        ("ulimits", "{*ulimit}"),
        ("use_api_socket", "bool"),
        ("user", "str"),
        ("userns_mode", "str"),
        ("uts", "str"),
        ("volume_driver", "str"),
        ("volumes", "[Volume]"),
        ("volumes_from", "[str]"),
        ("working_dir", "str"),
        ("post_start", "[Hook]"),
        ("pre_stop", "[Hook]"),
    ),
    "Build": _s(
        ("context", "str"),
        ("dockerfile", "str"),
        ("dockerfile_inline", "str"),
        ("entitlements", "[str]"),
        ("args", "{*str}"),
        ("provenance", "str"),
        ("sbom", "str"),
        ("ssh", "ssh"),
        ("labels", "{str}"),
        ("cache_from", "[str]"),
        ("cache_to", "[str]"),
        ("no_cache", "bool"),
        ("no_cache_filter", "[str]"),
        ("additional_contexts", "{str}"),
        ("pull", "bool"),
        ("extra_hosts", "[str]"),
        ("isolation", "str"),
        ("network", "str"),
        ("target", "str"),
        ("secrets", "[FileRef]"),
        ("shm_size", "bytes"),
        ("tags", "[str]"),
        ("ulimits", "{*ulimit}"),
        ("platforms", "[str]"),
        ("privileged", "bool"),
    ),
    "Develop": _s(("watch", "[Trigger]")),
    "Trigger": _s(
        ("path", "str", "keep jkeep"),
        ("action", "str", "keep jkeep"),
        ("target", "str"),
        ("exec", "Hook"),
        ("include", "[str]"),
        ("ignore", "[str]"),
        ("initial_sync", "bool"),
    ),
    "Hook": _s(
        ("command", "cmd", "jkeep"),
        ("user", "str"),
        ("privileged", "bool"),
        ("working_dir", "str"),
        ("environment", "{*str}"),
    ),
    "Blkio": _s(
        ("weight", "int"),
        ("weight_device", "[WeightDevice]"),
        ("device_read_bps", "[Throttle]"),
        ("device_read_iops", "[Throttle]"),
        ("device_write_bps", "[Throttle]"),
        ("device_write_iops", "[Throttle]"),
    ),
    "WeightDevice": _s(
        ("path", "str", "keep jkeep json=Path"), ("weight", "int", "keep jkeep json=Weight")
    ),
    "Throttle": _THROTTLE,
    "FileRef": _FILE_REF,
    "CredentialSpec": _s(("config", "str"), ("file", "str"), ("registry", "str")),
    "Dependency": _s(("condition", "str"), ("restart", "bool"), ("required", "bool", "keep jkeep")),
    "Deploy": _s(
        ("mode", "str"),
        ("replicas", "*int"),
        ("labels", "{str}"),
        ("update_config", "*Update"),
        ("rollback_config", "*Update"),
        ("resources", "Resources"),
        ("restart_policy", "*RestartPolicy"),
        ("placement", "Placement"),
        ("endpoint_mode", "str"),
    ),
    "Update": _UPDATE,
    "Resources": _s(("limits", "*Resource"), ("reservations", "*Resource")),
    "Resource": _s(
        ("cpus", "f32"),
        ("memory", "bytes"),
        ("pids", "int"),
        ("devices", "[DeviceRequest]"),
        ("generic_resources", "[GenericResource]"),
    ),
    "GenericResource": _s(("discrete_resource_spec", "*DiscreteResource")),
    "DiscreteResource": _s(("kind", "str", "keep jkeep"), ("value", "int", "keep jkeep")),
    "RestartPolicy": _s(
        ("condition", "str"), ("delay", "*dur"), ("max_attempts", "*int"), ("window", "*dur")
    ),
    "Placement": _s(
        ("constraints", "[str]"), ("preferences", "[Preference]"), ("max_replicas_per_node", "int")
    ),
    "Preference": _s(("spread", "str")),
    "DeviceMapping": _s(("source", "str"), ("target", "str"), ("permissions", "str")),
    "DeviceRequest": _s(
        ("capabilities", "[str]"),
        ("driver", "str"),
        ("count", "int"),
        ("device_ids", "[str]"),
        ("options", "{str}"),
        ext=False,
    ),
    "Provider": _s(("type", "str"), ("options", "{[str]}")),
    "Extends": _s(("file", "str"), ("service", "str"), ext=False),
    "Healthcheck": _s(
        ("test", "[str]"),
        ("timeout", "*dur"),
        ("interval", "*dur"),
        ("retries", "*int"),
        ("start_period", "*dur"),
        ("start_interval", "*dur"),
        ("disable", "bool"),
    ),
    "Logging": _s(("driver", "str"), ("options", "{str}")),
    "ServiceModel": _s(("endpoint_var", "str"), ("model_var", "str")),
    "ServiceNetwork": _s(
        ("aliases", "[str]"),
        ("driver_opts", "{str}"),
        ("gw_priority", "int"),
        ("interface_name", "str"),
        ("ipv4_address", "str"),
        ("ipv6_address", "str"),
        ("link_local_ips", "[str]"),
        ("mac_address", "str"),
        ("priority", "int"),
    ),
    "Port": _s(
        ("name", "str"),
        ("mode", "str"),
        ("host_ip", "str"),
        ("target", "int"),
        ("published", "str"),
        ("protocol", "str"),
        ("app_protocol", "str"),
    ),
    "Volume": _s(
        ("type", "str"),
        ("source", "str"),
        ("target", "str"),
        ("read_only", "bool"),
        ("consistency", "str"),
        ("bind", "*Bind"),
        ("volume", "*VolumeOptions"),
        ("tmpfs", "*Tmpfs"),
        ("image", "*ImageOptions"),
    ),
    "Bind": _s(
        ("selinux", "str"),
        ("propagation", "str"),
        ("create_host_path", "bool"),
        ("recursive", "str"),
    ),
    "VolumeOptions": _s(("labels", "{str}"), ("nocopy", "bool"), ("subpath", "str")),
    "Tmpfs": _s(("size", "bytes"), ("mode", "int")),
    "ImageOptions": _s(("subpath", "str")),
    # top-level resources
    "Network": _s(
        ("name", "str"),
        ("driver", "str"),
        ("driver_opts", "{str}"),
        ("ipam", "Ipam"),
        ("external", "bool"),
        ("internal", "bool"),
        ("attachable", "bool"),
        ("labels", "{str}"),
        ("enable_ipv4", "*bool"),
        ("enable_ipv6", "*bool"),
    ),
    "Ipam": _s(("driver", "str"), ("config", "[*IpamPool]")),
    "IpamPool": _s(
        ("subnet", "str"),
        ("gateway", "str"),
        ("ip_range", "str"),
        ("aux_addresses", "{str}"),
        ext=False,
    ),
    "TopVolume": _s(
        ("name", "str"),
        ("driver", "str"),
        ("driver_opts", "{str}"),
        ("external", "bool"),
        ("labels", "{str}"),
    ),
    "Secret": _FILE_OBJECT,
    "Config": _FILE_OBJECT,
    "Model": _s(
        ("name", "str"), ("model", "str"), ("context_size", "int"), ("runtime_flags", "[str]")
    ),
    # Project: yaml.v3 marshals the struct (this order, then x-* sorted); encoding/json
    # goes through Project.MarshalJSON, a map (sorted keys) without `models`.
    "Project": _s(
        ("name", "str"),
        ("services", "{Service}", "keep jkeep"),
        ("networks", "{Network}"),
        ("volumes", "{TopVolume}"),
        ("secrets", "{Secret}"),
        ("configs", "{Config}"),
        ("models", "{Model}", "yamlonly"),
    ),
}

# Marshaler quirks applied before printing (compose-go's MarshalYAML/MarshalJSON).
#   Secret: `content` is never printed.
#   Config: `content` is not printed when the config comes from `environment`.
DROP_CONTENT = {"Secret": None, "Config": "environment"}
