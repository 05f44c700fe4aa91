"""``Flag``: another server reports one of our actors or notes to our moderators.

Mastodon sends ``object`` as a list (the reported actor, then the notes) and the reason in
``content``; Lemmy puts it in ``summary``. Only what is ours is kept: reports about other
servers' content are not ours to judge.
"""

from __future__ import annotations

from federation import vocab
from federation.inbox.process import Inbound
from node.services.moderation.reports import receive_report

_COMMENT_MAX = 5000


async def handle_flag(inbound: Inbound) -> None:
    our_host = inbound.our_host
    reported = [
        uri
        for uri in vocab.ids_of(inbound.activity.get("object"))
        if vocab.host_of(uri) == our_host
    ]
    if not reported:
        return
    comment = vocab.text(inbound.activity.get("content")) or vocab.text(
        inbound.activity.get("summary")
    )
    async with inbound.commit():
        await receive_report(
            inbound.actor,
            uri=inbound.id,
            reported_uris=reported,
            comment=(comment or "")[:_COMMENT_MAX],
        )
