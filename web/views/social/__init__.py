"""The social pages: timelines and tags, writing and editing posts and their pictures, profiles
and messages."""
