"""Runtime services: settings, the Redis cache, the dependency bundle, embedded Redis, the
job queue, metrics, worker pools and channel settings."""
