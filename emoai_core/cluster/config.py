"""`cluster_compute.yaml` (what the cluster is) and `cluster_env.yaml` (what runs on it), typed.

Field names follow the course configs users know (head_node_type, worker_node_types,
min_workers, max_workers, use_spot). A bad file fails before anything starts, with the file, the
field path and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emoai_core.base.errors import UsageError, close_matches

# AWS instance families that carry NVIDIA GPUs (others have none, or non-CUDA accelerators).
GPU_FAMILIES = (
    "p2",
    "p3",
    "p3dn",
    "p4d",
    "p4de",
    "p5",
    "p5e",
    "p5en",
    "g3",
    "g3s",
    "g4dn",
    "g4ad",
    "g5",
    "g5g",
    "g6",
    "g6e",
    "gr6",
)


def has_gpu(instance_type: str) -> bool:
    family = instance_type.split(".")[0].lower()
    return family in GPU_FAMILIES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NodeType(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    instance_type: str | None = None
    resources: dict[str, float] = Field(
        default_factory=dict, description="Ray resources, e.g. {CPU: 2, GPU: 1}"
    )

    @property
    def cpus(self) -> float | None:
        return self.resources.get("CPU")

    @property
    def gpus(self) -> float:
        return self.resources.get("GPU", 0)

    @property
    def custom_resources(self) -> dict[str, float]:
        return {k: v for k, v in self.resources.items() if k not in ("CPU", "GPU")}


class WorkerNodeType(NodeType):
    min_workers: int = Field(0, ge=0)
    max_workers: int = Field(1, ge=0)
    use_spot: bool = False

    @model_validator(mode="after")
    def _min_le_max(self) -> WorkerNodeType:
        if self.min_workers > self.max_workers:
            raise ValueError(f"min_workers ({self.min_workers}) > max_workers ({self.max_workers})")
        return self


class AwsOptions(_Strict):
    disk_size_gb: int = Field(100, ge=8)
    tags: dict[str, str] = Field(default_factory=dict)
    subnet_id: str | None = None
    security_group_ids: list[str] = Field(default_factory=list)
    key_name: str | None = None
    iam_instance_profile: str | None = None


class ClusterCompute(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    provider: Literal["local", "aws"] = "local"
    region: str | None = None
    autoscale: bool = False
    # local only: every node gets its own HOME and EMOAI_HOME, like machines that share no disk,
    # so jobs must bring their data, checkpoints and runs through the storage and a tracking server
    isolated_nodes: bool = False
    head_node_type: NodeType
    worker_node_types: list[WorkerNodeType] = Field(default_factory=list)
    idle_timeout_minutes: float = Field(5, gt=0)
    aws: AwsOptions = Field(default_factory=AwsOptions)

    @model_validator(mode="after")
    def _provider_rules(self) -> ClusterCompute:
        names = [self.head_node_type.name] + [w.name for w in self.worker_node_types]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"node type names must be unique: {', '.join(duplicates)}")
        if self.isolated_nodes and (self.provider != "local" or self.autoscale):
            raise ValueError("isolated_nodes is for the local provider without autoscale")
        if self.provider == "aws":
            if not self.region:
                raise ValueError("region is required for provider aws (e.g. us-west-2)")
            for node in [self.head_node_type, *self.worker_node_types]:
                if not node.instance_type:
                    raise ValueError(f"node type '{node.name}' needs an instance_type for provider aws")
                if node.gpus and not has_gpu(node.instance_type):
                    raise ValueError(
                        f"node type '{node.name}' asks for {node.gpus:g} GPU but {node.instance_type} "
                        "has no GPU (use a g4dn/g5/g6/p3/p4d/p5 instance)"
                    )
        return self


class PythonEnv(_Strict):
    pip_packages: list[str] = Field(default_factory=list)
    conda_packages: list[str] = Field(default_factory=list)


class WorkingDir(_Strict):
    excludes: list[str] = Field(default_factory=list)


class ClusterEnv(_Strict):
    base_image: str = "rayproject/ray:2.60.0-py311-cpu"
    # where data versions, checkpoints and model artifacts travel (s3://…, gs://…, file:///…)
    storage: str | None = None
    # an MLflow server the laptop and the cluster both reach; none: `cluster up` starts one on the head
    tracking_uri: str | None = None
    env_vars: dict[str, str] = Field(default_factory=dict)
    debian_packages: list[str] = Field(default_factory=list)
    python: PythonEnv = Field(default_factory=PythonEnv)
    post_build_cmds: list[str] = Field(default_factory=list)
    working_dir: WorkingDir = Field(default_factory=WorkingDir)


def _fields(model: type[BaseModel], path: tuple) -> list[str]:
    """Field names of the model at `path` (for 'did you mean' on unknown keys)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        current = next(
            (a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None
        )
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _explain(file: str, model: type[BaseModel], exc: ValidationError) -> UsageError:
    first = exc.errors()[0]
    loc = tuple(p for p in first["loc"] if p not in ("function-after",))
    where = _where(loc)
    if first["type"] == "extra_forbidden":
        near = close_matches(str(loc[-1]), _fields(model, loc[:-1]))
        suffix = f" (did you mean '{near[0]}'?)" if near else ""
        return UsageError(f"{file}: {where}: unknown key{suffix}", "see the field reference in the README")
    message = re.sub(r"^Value error, ", "", first["msg"])
    if first["type"] == "missing":
        message = "this field is required"
    return UsageError(f"{file}: {where}: {message}", "see the field reference in the README")


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise UsageError(f"config file not found: {path}", "pass --config cluster_compute.yaml")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{path}: {line}invalid YAML ({problem})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def load_compute(path: Path) -> ClusterCompute:
    path = Path(path)
    try:
        return ClusterCompute.model_validate(_load_yaml(path))
    except ValidationError as exc:
        raise _explain(str(path), ClusterCompute, exc) from None


def load_env(path: Path | None) -> ClusterEnv:
    if path is None:
        return ClusterEnv()
    path = Path(path)
    try:
        return ClusterEnv.model_validate(_load_yaml(path))
    except ValidationError as exc:
        raise _explain(str(path), ClusterEnv, exc) from None
