"""``/api/v1`` for posts and people: notes, media, follows, blocks, reactions, timelines and
messages."""
