"""Use cases of the node. Handlers and jobs call these; they hold the business rules.

One package per bounded context: ``accounts``, ``social``, ``moderation``, ``network`` and
``market``. The modules at this level (``text``, ``images``, ``hashtags``, ``visibility``,
``notifications``, ``mail``, ``usage``) are the shared kernel: any context may use them, and
they import no context (an import-linter contract says so).
"""
