"""gunicorn's settings for KMS, read from the working directory by every gunicorn started
there (the image's command, docker-compose's web service, the README's commands).

The API accepts a search with every parameter at its longest: in Chinese, about 5,500
bytes of request line (each character is nine URL characters), about 7,600 with
characters outside the basic plane (twelve). gunicorn's default limit, 4,094, answered
such a request with its own plain-text error before the API saw it; 8,190 is the most
gunicorn allows.

Each worker embeds a reader's question on one core (``search.vectors``): workers serve
side by side, and the model's threads of two workers on the same cores wait for each
other at every step (20 searches a second on two cores instead of 80). Each worker warms
up with a search of its own as it starts (``search.warmup``).
"""

import os

limit_request_line = 8190
os.environ.setdefault("OMP_NUM_THREADS", "1")


def post_worker_init(worker: object) -> None:
    """Each worker readies itself (dictionaries, index, model) before its first reader."""
    from search.warmup import warm_up_soon

    warm_up_soon()
