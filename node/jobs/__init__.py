"""The durable job queue every background task uses (inbox processing, delivery, mail...).

Jobs are rows (``node.models.jobs.Job``) written in the same transaction as the change that needs
them, so nothing is lost if the process dies. Workers claim due rows, run them, and record the
outcome; a crashed worker's lock expires and another worker takes the job over.

- ``backoff``: the retry delay maths (pure).
- ``queue``: enqueue, claim, finish, retry, release.
- ``registry``: which handler runs which queue, and how.
- ``worker``: the long-running loop and ``drain()`` for tests.
"""
