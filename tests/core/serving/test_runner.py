"""emoai_core.serving.runner: first come first served, one model call at a time, batches that form by themselves."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from emoai_core.serving.runner import ModelRunner


class Model:
    """Rows of [text length, call number]; `gate` holds the first call until the test opens it."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[list[str]] = []
        self.threads: set[str] = set()
        self.running = 0
        self.most_at_once = 0
        self.delay = delay
        self.gate = threading.Event()
        self.fail_on: str | None = None

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.threads.add(threading.current_thread().name)
        if not self.calls:
            self.gate.wait(5)
        self.calls.append(list(texts))
        time.sleep(self.delay)
        self.running -= 1
        if self.fail_on and self.fail_on in texts:
            raise RuntimeError("model broke")
        return np.asarray([[len(t), len(self.calls)] for t in texts], dtype=float)


async def _later(coro, delay):
    await asyncio.sleep(delay)
    return await coro


def test_waiting_requests_share_the_next_call_in_arrival_order():
    model = Model()
    sizes: list[int] = []

    async def main():
        runner = ModelRunner(model, max_batch=3, on_batch=sizes.append)
        first = asyncio.create_task(runner.predict(["a"]))
        await asyncio.sleep(0.05)  # the model now holds the first call
        rest = [asyncio.create_task(runner.predict([t])) for t in ("bb", "ccc", "dddd", "eeeee")]
        await asyncio.sleep(0.05)
        model.gate.set()
        results = await asyncio.gather(first, *rest)
        runner.close()
        return results

    results = asyncio.run(main())
    assert model.calls == [["a"], ["bb", "ccc", "dddd"], ["eeeee"]]  # in order, at most 3 texts a call
    assert [r[:, 0].tolist() for r in results] == [[1.0], [2.0], [3.0], [4.0], [5.0]]
    assert sizes == [1, 3, 1] and model.most_at_once == 1 and len(model.threads) == 1


def test_an_idle_model_never_waits_for_company():
    model = Model()
    model.gate.set()

    async def main():
        runner = ModelRunner(model, max_batch=32)
        start = time.perf_counter()
        await runner.predict(["alone"])
        return time.perf_counter() - start

    assert asyncio.run(main()) < 0.5 and model.calls == [["alone"]]


def test_a_wait_collects_requests_that_arrive_within_it():
    model = Model()
    model.gate.set()
    model.calls.append(["warm"])  # the gate applies to the first call only

    async def main():
        runner = ModelRunner(model, max_batch=8, wait_s=0.2)
        return await asyncio.gather(runner.predict(["a"]), _later(runner.predict(["b", "c"]), 0.05))

    asyncio.run(main())
    assert model.calls[1:] == [["a", "b", "c"]]


def test_a_model_error_reaches_every_request_of_its_call_and_the_runner_goes_on():
    model = Model()
    model.fail_on = "bad"

    async def main():
        runner = ModelRunner(model, max_batch=4)
        first = asyncio.create_task(runner.predict(["x"]))
        await asyncio.sleep(0.05)
        pair = [asyncio.create_task(runner.predict([t])) for t in ("bad", "ok")]
        await asyncio.sleep(0.05)
        model.gate.set()
        await first
        outcomes = await asyncio.gather(*pair, return_exceptions=True)
        after = await runner.predict(["later"])
        return outcomes, after

    outcomes, after = asyncio.run(main())
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert after[0, 0] == 5.0


def test_a_request_of_many_texts_gets_all_its_rows():
    model = Model()
    model.gate.set()
    rows = asyncio.run(ModelRunner(model, max_batch=2).predict(["a", "bb", "ccc"]))
    assert rows[:, 0].tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("max_batch", [0, -3])
def test_batch_limits_are_at_least_one(max_batch):
    assert ModelRunner(lambda t: t, max_batch=max_batch).max_batch == 1
