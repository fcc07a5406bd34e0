"""The store of previewed uploads: a token per upload, good for its scope and its time only."""

from __future__ import annotations

import os
import time

from lms.core.previews import PreviewStore, is_token

STORE = PreviewStore("test-previews", max_age=60)


def test_an_upload_is_loaded_by_its_token_within_its_scope(app, db):
    token = STORE.save(b"isi", user_id=1, organisation_id=2, filename="a.csv")
    assert is_token(token)
    pending = STORE.load(token, user_id=1, organisation_id=2)
    assert pending is not None
    assert (pending.content, pending.meta["filename"]) == (b"isi", "a.csv")
    assert STORE.load(token, user_id=3, organisation_id=2) is None  # another user
    assert STORE.load(token, user_id=1, organisation_id=4) is None  # another organisation
    STORE.discard(token)
    assert STORE.load(token, user_id=1, organisation_id=2) is None


def test_old_uploads_expire_and_are_purged(app, db):
    token = STORE.save(b"lama", user_id=1)
    old = time.time() - 61
    for path in STORE.files(token):
        os.utime(path, (old, old))
    assert STORE.load(token, user_id=1) is None
    STORE.save(b"baru", user_id=1)  # saving removes what is past its age
    assert not any(path.exists() for path in STORE.files(token))


def test_malformed_tokens_are_never_file_names(app, db):
    for token in ("../../etc/passwd", "abc", "a" * 65, "a" * 32 + "\n", ""):
        assert not is_token(token)
        assert STORE.load(token) is None
