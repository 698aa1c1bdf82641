"""The Redis transport of Celery, hardened so that a worker outlives a Redis outage.

With kombu 5.7 and Celery 5.7, when Redis goes away while a worker holds unacknowledged
messages (a job is running: `task_acks_late`), the consumer closes the lost connection and the
channel then tries to give those messages back through a client that is already gone. That
raises AttributeError, which Celery treats as unrecoverable: the worker shuts down instead of
reconnecting. Here the same case raises a connection error, which kombu ignores while closing.
Nothing is lost by not giving them back: they stay in Redis' unacked set, and the jobs they
wake are rows that the dispatcher sends again (izd.jobs).
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection.client is None:  # the connection was closed under us
            raise RedisConnectionError("The connection to the broker is already closed.")
        redis_channel: Any = super()  # kombu's type stubs do not know this method
        return redis_channel._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
