"""gunicorn's settings for KMS, read from the working directory by every gunicorn started
there (the image's command, docker-compose's web service, the README's commands).

The API accepts a search with every parameter at its longest: in Chinese, about 5,500
bytes of request line (each character is nine URL characters), about 7,600 with
characters outside the basic plane (twelve). gunicorn's default limit, 4,094, answered
such a request with its own plain-text error before the API saw it; 8,190 is the most
gunicorn allows.
"""

limit_request_line = 8190
