"""content.parallel in a daemon process (a Celery prefork worker's child): mapped in-process,
since such a process may not start processes of its own."""

from __future__ import annotations

import multiprocessing

from content import parallel


def _doubled(n: int) -> int:
    return 2 * n


def _mapped_in_a_daemon(out: multiprocessing.Queue) -> None:
    try:
        items = range(parallel.THRESHOLD + 10)
        out.put(list(parallel.pmap_stream(_doubled, iter(items), total=len(items))))
    except Exception as error:  # noqa: BLE001 - reported to the test, not lost in the child
        out.put(repr(error))


def test_a_daemon_process_maps_big_inputs_in_process() -> None:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_mapped_in_a_daemon, args=(out,), daemon=True)
    child.start()
    found = out.get(timeout=60)
    child.join(timeout=10)
    assert found == [2 * n for n in range(parallel.THRESHOLD + 10)]
