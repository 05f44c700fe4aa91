"""Account pages: signing up and in (``auth``) and the person's settings."""
