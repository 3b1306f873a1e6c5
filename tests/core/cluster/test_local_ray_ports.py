"""Ports a local Ray node is given: all distinct, even where the OS reuses a just-closed port."""

from __future__ import annotations

import re

import pytest

from emoai_core.cluster import local_ray


class ReusingSocket:
    """A socket whose OS hands out the lowest port not bound right now — as Linux may, at random,
    for a port closed a moment ago. Bind-and-close one at a time then yields one port every time."""

    bound: set[int] = set()

    def __init__(self) -> None:
        self.port: int | None = None

    def bind(self, address: tuple[str, int]) -> None:
        self.port = next(p for p in range(40000, 41000) if p not in ReusingSocket.bound)
        ReusingSocket.bound.add(self.port)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def __enter__(self) -> ReusingSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        ReusingSocket.bound.discard(self.port)


@pytest.fixture
def reusing_os(monkeypatch):
    ReusingSocket.bound = set()
    monkeypatch.setattr(local_ray.socket, "socket", ReusingSocket)


def test_free_ports_are_distinct_and_skip_the_excluded(reusing_os):
    ports = local_ray.free_ports(4, frozenset({40001}))
    assert len(set(ports)) == 4 and 40001 not in ports


def _ports_of(args: list[str]) -> list[int]:
    return [int(m.group(1)) for a in args if (m := re.fullmatch(r"--[a-z-]*port=(\d+)", a))]


@pytest.mark.parametrize("given", [None, 40002])
def test_a_head_gets_distinct_ports(reusing_os, monkeypatch, tmp_path, given):
    calls: list[list[str]] = []
    monkeypatch.setattr(local_ray, "_run", lambda args, env: calls.append(args))
    monkeypatch.setattr(local_ray, "ensure_auth_token", lambda env: None)
    head = local_ray.start_head(cpus=1, temp_dir=str(tmp_path), port=given)
    ports = _ports_of(calls[0])
    assert len(ports) == 8 and len(set(ports)) == 8
    assert head.address.endswith(f":{given}") if given else head.address.endswith(f":{ports[0]}")


def test_an_added_node_gets_distinct_ports(reusing_os, monkeypatch, tmp_path):
    calls: list[list[str]] = []
    monkeypatch.setattr(local_ray, "_run", lambda args, env: calls.append(args))
    local_ray.add_node("127.0.0.1:6379", str(tmp_path), cpus=1)
    ports = _ports_of(calls[0])
    assert len(ports) == 5 and len(set(ports)) == 5
