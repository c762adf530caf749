"""dramatiq workers: the broker, the actors, the outbox relay and the periodic scheduler."""
