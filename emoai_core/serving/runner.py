"""A replica's model calls: first come, first served, one at a time, in one thread of their own.

Requests queue in arrival order; whenever the model is free it takes what is waiting (up to
`max_batch` texts) in one call, so under load calls grow by themselves and when idle a request
never waits for company (`wait_s` > 0 makes a call wait that long for more). Measured on 2 cores
(bench/serve_load.py): Serve's `@serve.batch` mostly formed batches of one, and running
several model calls at once in a thread pool made the calls compete for the same cores and served
requests out of order (long tails); one model thread answers in order. The event loop stays free
for parsing, auth and health checks while the model runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from emoai_core.serving.batching import run_batched


class ModelRunner:
    def __init__(
        self,
        predict_proba: Callable[[list[str]], np.ndarray],
        max_batch: int = 32,
        wait_s: float = 0.0,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.predict_proba = predict_proba
        self.max_batch = max(1, int(max_batch))
        self.wait_s = max(0.0, float(wait_s))
        self.on_batch = on_batch
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emoai-model")
        self._queue: asyncio.Queue[tuple[list[str], asyncio.Future]] | None = None
        self._worker: asyncio.Task | None = None

    async def predict(self, texts: list[str]) -> np.ndarray:
        """Probabilities for `texts`, one row each, once the model has reached this request."""
        loop = asyncio.get_running_loop()
        if self._queue is None:  # created on the loop that serves requests
            self._queue = asyncio.Queue()
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._serve())
        done: asyncio.Future = loop.create_future()
        self._queue.put_nowait((texts, done))
        return await done

    async def _serve(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0][0])
            deadline = loop.time() + self.wait_s
            while size < self.max_batch:
                if self._queue.empty():
                    left = deadline - loop.time()
                    if left <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(self._queue.get(), left)
                    except asyncio.TimeoutError:
                        break
                else:
                    item = self._queue.get_nowait()
                batch.append(item)
                size += len(item[0])
            await self._run(loop, batch, size)

    async def _run(self, loop: asyncio.AbstractEventLoop, batch: list[tuple[list[str], Any]], size: int) -> None:
        try:
            rows = await loop.run_in_executor(self.pool, run_batched, [t for t, _ in batch], self.predict_proba)
        except Exception as exc:  # noqa: BLE001 - every waiting request gets the model's error
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        for (_, done), result in zip(batch, rows, strict=True):
            if not done.done():  # a client that went away cancelled its future
                done.set_result(result)
        if self.on_batch is not None:
            self.on_batch(size)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)
