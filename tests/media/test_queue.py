"""The queue: SQLite in the instance folder by default, Redis when LMS_REDIS_URL is set."""

from __future__ import annotations

import redis
from huey.storage import RedisStorage, SqliteStorage

from lms.core.queue import init_queue
from lms.extensions import huey
from lms.media.jobs import process_media

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_the_default_queue_is_sqlite_in_the_instance_folder(app):
    init_queue(app)  # other tests build applications of their own
    assert isinstance(huey.storage, SqliteStorage)
    assert huey.storage.filename.startswith(app.config["INSTANCE_DIR"])


def test_workers_share_a_redis_queue(app):
    """Two workers configured with the same Redis URL see the same jobs."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    app.config["REDIS_URL"] = REDIS_URL
    try:
        init_queue(app)
        assert isinstance(huey.storage, RedisStorage)
        process_media(424242)  # a web process enqueues
        assert huey.pending_count() == 1
        # another machine's worker, with its own connection, takes the job
        other = RedisStorage(huey.name, url=REDIS_URL)
        assert other.queue_size() == 1
        message = huey.dequeue()
        assert message is not None and message.args == (424242,)
        assert other.queue_size() == 0
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()
        app.config["REDIS_URL"] = None
        init_queue(app)
    assert isinstance(huey.storage, SqliteStorage)
