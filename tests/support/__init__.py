"""Test support: databases, real node processes, free ports. Shared by every test folder."""
