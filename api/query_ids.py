"""The ids the API gives each search, suggest and answer call (``query_id``), which a
client sends back with feedback and result events.

Invariants:
* an id is a UUID (version 8, RFC 9562) of 64 random bits and 58 bits of an HMAC, under
  the site's ``SECRET_KEY``, of those bits and the id of the API key it was given to;
* so :func:`issued_to` tells, without reading the query log (written in batches, later),
  whether an id was given to that key: an id made up, or one another key was given,
  fails; forging one takes about 2^58 tries, far past any key's rate limit;
* the key's database id is what binds: ids outlive the key's rotated secret and a new
  name, and a new key given an old key's name is another key. Changing ``SECRET_KEY``
  refuses every id given before (they are meant to live minutes, as a reader's session).
"""

from __future__ import annotations

import hmac
import os
import uuid

from django.utils.crypto import salted_hmac

_SALT = "kms.api.query_id"


def _tail(head: bytes, key_id: int) -> bytes:
    signed = head + str(key_id).encode()
    mac = bytearray(salted_hmac(_SALT, signed, algorithm="sha256").digest()[:8])
    mac[0] = (mac[0] & 0x3F) | 0x80  # the RFC variant's two bits
    return bytes(mac)


def issue(key_id: int) -> uuid.UUID:
    """A new id for a call made with the API key whose database id is `key_id`."""
    head = bytearray(os.urandom(8))
    head[6] = (head[6] & 0x0F) | 0x80  # version 8: the layout is the application's
    return uuid.UUID(bytes=bytes(head) + _tail(bytes(head), key_id))


def issued_to(query_id: uuid.UUID, key_id: int) -> bool:
    """Whether `query_id` was given to a call made with the API key `key_id`."""
    raw = query_id.bytes
    return hmac.compare_digest(raw[8:], _tail(raw[:8], key_id))
