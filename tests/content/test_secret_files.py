"""A kept secret is readable by its owner only, and read back as kept."""

from __future__ import annotations

import stat

from content.secret_files import keep_secret, kept_secret


def test_a_secret_is_kept_for_its_owner_only(tmp_path) -> None:
    path = tmp_path / "key.txt"
    assert kept_secret(path) is None

    keep_secret(path, "s3cret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert kept_secret(path) == "s3cret"

    path.chmod(0o644)  # a file someone loosened
    keep_secret(path, "other")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert kept_secret(path) == "other"
