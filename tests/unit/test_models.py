"""The status words the console derives from a pod, as kubectl prints them."""

from __future__ import annotations

from console.models import ContainerState, Pod


def container(state: str = "running", reason: str = "", ready: bool = True) -> ContainerState:
    return ContainerState(name="c", image="img", state=state, reason=reason, ready=ready)


def test_a_running_pod_shows_its_phase() -> None:
    assert Pod(name="p", phase="Running", containers=(container(),)).status == "Running"


def test_a_crash_looping_container_wins_over_the_phase() -> None:
    pod = Pod(name="p", phase="Running",
              containers=(container(), container("waiting", "CrashLoopBackOff", False)))
    assert pod.status == "CrashLoopBackOff"


def test_an_oom_killed_container_shows_the_kill() -> None:
    pod = Pod(name="p", phase="Running", containers=(container("terminated", "OOMKilled"),))
    assert pod.status == "OOMKilled"


def test_a_waiting_init_container_shows_its_reason() -> None:
    pod = Pod(name="p", phase="Pending",
              init_containers=(container("waiting", "ImagePullBackOff", False),),
              containers=(container("waiting", "PodInitializing", False),))
    assert pod.status == "Init:ImagePullBackOff"


def test_a_running_init_container_shows_how_many_have_finished() -> None:
    pod = Pod(name="p", phase="Pending",
              init_containers=(container("terminated", "Completed"), container("running")),
              containers=(container("waiting", "PodInitializing", False),))
    assert pod.status == "Init:1/2"


def test_finished_init_containers_leave_the_main_containers_status() -> None:
    pod = Pod(name="p", phase="Running",
              init_containers=(container("terminated", "Completed"),),
              containers=(container(),))
    assert pod.status == "Running"


def test_a_pod_being_deleted_is_terminating() -> None:
    assert Pod(name="p", phase="Running", deleting=True).status == "Terminating"
