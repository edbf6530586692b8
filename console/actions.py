"""What an operation is: the action, its target, its parameters, and how to say it.

An ``Operation`` is plain data: built by a screen, previewed and executed by
``console.operations.Operations``, written to the audit log. This module also
gives its equivalent ``kubectl`` command and the sentences the screens show.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from adapters.base import Kind

__all__ = ["Action", "Operation", "kubectl_command", "kubectl_command_line"]


class Action(StrEnum):
    """The mutations the console performs on a cluster."""

    SCALE = "scale"
    ROLLBACK = "rollback"
    RESTART = "restart"
    DELETE_POD = "delete_pod"
    CORDON = "cordon"
    UNCORDON = "uncordon"


ParamValue = int | str | bool


class Operation(BaseModel):
    """One mutation of one object in one context.

    ``namespace`` is "" for cluster-scoped objects (nodes). ``params`` holds the
    action's arguments: ``replicas`` for scale, ``to_revision`` for rollback
    (0 = the previous revision).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action
    context: str
    namespace: str
    kind: Kind
    name: str
    params: dict[str, ParamValue] = {}

    @classmethod
    def scale(cls, context: str, namespace: str, name: str, replicas: int) -> Operation:
        """Set a Deployment's replica count."""
        return cls(
            action=Action.SCALE, context=context, namespace=namespace, kind=Kind.DEPLOYMENT,
            name=name, params={"replicas": replicas},
        )  # fmt: skip

    @classmethod
    def rollback(cls, context: str, namespace: str, name: str, to_revision: int = 0) -> Operation:
        """Roll a Deployment back to ``to_revision`` (0 = the previous one)."""
        return cls(
            action=Action.ROLLBACK, context=context, namespace=namespace, kind=Kind.DEPLOYMENT,
            name=name, params={"to_revision": to_revision},
        )  # fmt: skip

    @classmethod
    def restart(cls, context: str, namespace: str, name: str) -> Operation:
        """Restart every pod of a Deployment through a rollout."""
        return cls(
            action=Action.RESTART, context=context, namespace=namespace, kind=Kind.DEPLOYMENT,
            name=name,
        )  # fmt: skip

    @classmethod
    def delete_pod(cls, context: str, namespace: str, name: str) -> Operation:
        """Delete one pod."""
        return cls(
            action=Action.DELETE_POD, context=context, namespace=namespace, kind=Kind.POD,
            name=name,
        )  # fmt: skip

    @classmethod
    def cordon(cls, context: str, node: str, *, unschedulable: bool = True) -> Operation:
        """Cordon a node (or uncordon it with ``unschedulable=False``)."""
        action = Action.CORDON if unschedulable else Action.UNCORDON
        return cls(action=action, context=context, namespace="", kind=Kind.NODE, name=node)

    @property
    def target(self) -> str:
        """The object as the screens name it: ``deployment serving/llama``, ``node gpu-3``."""
        kind = self.kind.kind_name.lower()
        return f"{kind} {self.namespace}/{self.name}" if self.namespace else f"{kind} {self.name}"

    def describe(self, *, done: bool = False) -> str:
        """The operation as a sentence, in the present ("scale deployment serving/llama
        to 3 replicas") or, with ``done``, the past tense ("scaled …")."""
        wording = _WORDING[self.action]
        template = wording.past if done else wording.present
        return template.format(target=self.target, detail=self._detail())

    def permission(self) -> str:
        """What a 403 forbade: "scale deployments in namespace serving (RBAC: patch
        deployments/scale)"."""
        wording = _WORDING[self.action]
        where = f"in namespace {self.namespace}" if self.namespace else "in this cluster"
        return f"{wording.permission} {where} (RBAC: {wording.rbac})"

    def _detail(self) -> str:
        if self.action is Action.SCALE:
            return f" to {self.params['replicas']} replicas"
        if self.action is Action.ROLLBACK:
            revision = int(self.params.get("to_revision", 0))
            return f" to revision {revision}" if revision else " to the previous revision"
        return ""


@dataclass(frozen=True, slots=True)
class _Wording:
    present: str
    past: str
    permission: str
    rbac: str


_WORDING = {
    Action.SCALE: _Wording(
        "scale {target}{detail}", "scaled {target}{detail}",
        "scale deployments", "patch deployments/scale",
    ),
    Action.ROLLBACK: _Wording(
        "roll back {target}{detail}", "rolled back {target}{detail}",
        "roll back deployments", "patch deployments",
    ),
    Action.RESTART: _Wording(
        "restart {target}", "restarted {target}; new pods are rolling out",
        "restart deployments", "patch deployments",
    ),
    Action.DELETE_POD: _Wording(
        "delete {target}", "deleted {target}", "delete pods", "delete pods"
    ),
    Action.CORDON: _Wording(
        "cordon {target}", "cordoned {target}; no new pods will be scheduled on it",
        "cordon nodes", "patch nodes",
    ),
    Action.UNCORDON: _Wording(
        "uncordon {target}", "uncordoned {target}; it accepts new pods again",
        "uncordon nodes", "patch nodes",
    ),
}  # fmt: skip


def kubectl_command(op: Operation) -> list[str]:
    """The ``kubectl`` argv that does what ``op`` does, e.g. ``["kubectl", "--context",
    "prod", "-n", "serving", "scale", "deployment/x", "--replicas=3"]``."""
    argv = ["kubectl", "--context", op.context]
    if op.namespace:
        argv += ["-n", op.namespace]
    deployment = f"deployment/{op.name}"
    match op.action:
        case Action.SCALE:
            argv += ["scale", deployment, f"--replicas={op.params['replicas']}"]
        case Action.ROLLBACK:
            argv += ["rollout", "undo", deployment]
            revision = int(op.params.get("to_revision", 0))
            if revision:
                argv.append(f"--to-revision={revision}")
        case Action.RESTART:
            argv += ["rollout", "restart", deployment]
        case Action.DELETE_POD:
            argv += ["delete", "pod", op.name]
        case Action.CORDON | Action.UNCORDON:
            argv += [op.action.value, op.name]
    return argv


def kubectl_command_line(op: Operation) -> str:
    """``kubectl_command(op)`` quoted for a POSIX shell, for display and copying."""
    return shlex.join(kubectl_command(op))
