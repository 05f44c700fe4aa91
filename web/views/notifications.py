"""``/notifications``: follows, replies, mentions, likes, boosts and messages, newest first, with
the unread ones marked, and a button to mark them all as read. The header shows the unread count."""

from __future__ import annotations

from aiohttp import web

from node.models.accounts import Account
from node.models.social import FollowState
from node.services import notifications
from node.services.market import orders
from node.services.social import follows
from web.i18n import N_
from web.rendering import NavItem, register_nav_item, render, translator_for_request
from web.views.forms import read_form, see_other
from web.views.market.orders import order_amounts
from web.views.social.timelines import page_helpers
from web.views.viewer import cursor, publisher, signed_in

PAGE = 30


async def unread(account: Account) -> int:
    return await notifications.unread_count(account)


async def notification_list(request: web.Request) -> web.Response:
    """The page marks what it shows as read (so the badge clears); those still look new here."""
    account, me = await signed_in(request)
    rows = await notifications.list_notifications(
        account, max_id=cursor(request), limit=PAGE, mark_read=True
    )
    waiting = await follows.followers(me, state=FollowState.PENDING, limit=follows.MAX_PAGE)
    # Order notifications name their order by the agreement's id: link its page, with the price.
    about = [row.object_uri for row in rows if row.object_uri and row.kind.startswith("order")]
    found = await orders.orders_by_uri(account, about)
    t = await translator_for_request(request)
    context = {
        "notifications": rows,
        "orders": found,
        "order_paths": {uri: orders.order_page_path(o.id) for uri, o in found.items()},
        "order_amounts": {uri: order_amounts(o, t) for uri, o in found.items()},
        # Older pages may still hold unread ones: "Mark all as read" stays for those.
        "unread_elsewhere": await notifications.unread_count(account),
        "pending_followers": {row.follower.id for row in waiting},
        "newest": rows[0].id if rows else None,
        "older": rows[-1].id if len(rows) >= PAGE else None,
        **page_helpers(request),
    }
    return await render(request, "social/notifications.html", context)


async def mark_read(request: web.Request) -> web.Response:
    account, _ = await signed_in(request)
    form = await read_form(request)
    await notifications.mark_all_read(account, up_to=form.get("up_to") or None)
    return see_other("/notifications")


async def answer_follow_request(request: web.Request) -> web.Response:
    """Accept or refuse someone who asked to follow (for accounts that approve followers)."""
    _, me = await signed_in(request)
    follower = await follows.get_actor(request.match_info["id"])
    if request.match_info["answer"] == "accept":
        await follows.approve_follow_request(publisher(request), me, follower)
    else:
        await follows.reject_follow_request(publisher(request), me, follower)
    return see_other("/notifications")


def setup(app: web.Application) -> None:
    register_nav_item(
        app, NavItem("/notifications", N_("Notifications"), signed_in=True, order=30, badge=unread)
    )
    app.router.add_get("/notifications", notification_list)
    app.router.add_post("/notifications/read", mark_read)
    app.router.add_post(
        r"/notifications/follow-requests/{id:\d{1,19}}/{answer:accept|reject}",
        answer_follow_request,
    )
