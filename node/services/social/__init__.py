"""The social context: posts and the people around them.

Modules: ``notes`` (write, edit, delete posts), ``note_addressing``, ``note_media`` and
``media_uploads`` (attachments), ``media_descriptions`` (their alt text), ``follows``,
``blocks``, ``reactions``, ``timelines`` and ``tag_timeline``, ``conversations`` and
``messages``, ``profiles``, ``actors`` and ``remote_content`` (posts and people other servers
send).
"""
