"""Moderation: what the people running a node decide about accounts, posts and other servers.

Modules: ``moderation`` (the moderator's actions and their log), ``reports``, ``suspensions`` and
``domain_blocks``.
"""
