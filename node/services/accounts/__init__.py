"""Accounts: who a person is on this node and how they prove it.

Modules: ``accounts`` (sign-up and lookup), ``account_lifecycle`` (register, confirm, sign in),
``account_approvals``, ``account_deletion``, ``account_tokens`` (confirmation and reset links),
``tokens`` (API tokens), ``passwords`` and ``password_changes``, ``sessions``, ``rate_limits``,
``keys`` (signing keys) and ``export`` (a person's data export).
"""
