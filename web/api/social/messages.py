"""``/api/v1/conversations``: direct messages — the caller's conversations with unread counts,
starting one, reading one, answering in one and marking it read.

A conversation the caller is not in answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, Field

from node.appkeys import URLS
from node.services.social import messages
from web.api.accounts import ActorOut, actor_out
from web.api.routing import Operation, read_json, respond
from web.api.social.notes import NoteOut, note_out, notes_out
from web.api.viewer import current_actor, publisher, resolver


class ConversationIn(BaseModel):
    to: list[str] = Field(
        min_length=1,
        max_length=messages.MAX_RECIPIENTS,
        description="Who to write to: local usernames, `@user@host` handles or actor URLs.",
    )
    content: str = Field(max_length=20_000, description="The first message, in markdown.")
    language: str = Field(max_length=16, description="es, pt, en, fr or ar.")
    about: str | None = Field(
        None,
        max_length=2048,
        description="The URL of what the conversation is about (a listing, an event, a job); "
        "sent as `inReplyTo`.",
    )


class MessageIn(BaseModel):
    content: str = Field(max_length=20_000, description="The message, in markdown.")
    language: str = Field(max_length=16, description="es, pt, en, fr or ar.")


class ConversationOut(BaseModel):
    id: str
    participants: list[ActorOut] = Field(description="Everyone in it except the caller.")
    about: str | None = Field(description="The URL of what it is about, if anything.")
    last_message_at: datetime
    unread_count: int = Field(description="Messages the caller has not read yet.")


class ConversationListOut(BaseModel):
    unread_total: int = Field(description="Unread messages over all conversations.")
    conversations: list[ConversationOut] = Field(description="Most recently active first.")


class ConversationDetailOut(ConversationOut):
    messages: list[NoteOut] = Field(description="The latest messages, oldest first.")


async def list_conversations(request: web.Request) -> web.Response:
    viewer = await current_actor(request)
    summaries = await messages.list_conversations(viewer)
    items = [
        ConversationOut(
            id=str(s.conversation.id),
            participants=[actor_out(a) for a in s.others],
            about=s.conversation.about_uri,
            last_message_at=s.conversation.last_message_at,
            unread_count=s.unread_count,
        )
        for s in summaries
    ]
    total = await messages.unread_total(viewer)
    return respond(ConversationListOut(unread_total=total, conversations=items))


async def _detail(request: web.Request, conversation_id: str, status: int = 200) -> web.Response:
    viewer = await current_actor(request)
    view = await messages.get_conversation(viewer, conversation_id, mark_read=False)
    body = ConversationDetailOut(
        id=str(view.conversation.id),
        participants=[actor_out(a) for a in view.others],
        about=view.conversation.about_uri,
        last_message_at=view.conversation.last_message_at,
        unread_count=view.unread_count,
        messages=await notes_out(view.messages, viewer),
    )
    return respond(body, status=status)


async def start_conversation(request: web.Request) -> web.Response:
    author = await current_actor(request)
    body = await read_json(request, ConversationIn)
    conversation = await messages.start_conversation(
        publisher(request),
        author,
        to=body.to,
        content=body.content,
        language=body.language,
        about_uri=body.about,
        resolver=resolver(request),
        urls=request.app[URLS],
    )
    return await _detail(request, str(conversation.id), status=201)


async def get_conversation(request: web.Request) -> web.Response:
    return await _detail(request, request.match_info["id"])


async def send_message(request: web.Request) -> web.Response:
    author = await current_actor(request)
    body = await read_json(request, MessageIn)
    note = await messages.reply(
        publisher(request),
        author,
        request.match_info["id"],
        content=body.content,
        language=body.language,
        resolver=resolver(request),
        urls=request.app[URLS],
    )
    return respond(await note_out(note, author), status=201)


async def mark_read(request: web.Request) -> web.Response:
    viewer = await current_actor(request)
    await messages.mark_conversation_read(viewer, request.match_info["id"])
    return web.Response(status=204)


_ID = {"id": "The conversation's id (a string)."}

OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/conversations",
        list_conversations,
        "Your conversations",
        "messages",
        description="Direct-message conversations, most recently active first, with unread "
        "counts per conversation and in total.",
        response=ConversationListOut,
    ),
    Operation(
        "POST",
        "/api/v1/conversations",
        start_conversation,
        "Start a conversation",
        "messages",
        description="Sends a direct note (a `Create{Note}` addressed only to the recipients, with "
        "a `Mention` for each). Writing to the same people about the same thing again returns "
        "the same conversation.",
        request=ConversationIn,
        response=ConversationDetailOut,
        status=201,
    ),
    Operation(
        "GET",
        "/api/v1/conversations/{id}",
        get_conversation,
        "A conversation with its messages",
        "messages",
        description="Does not mark it read; see `POST .../read`. 404 if you are not in it.",
        response=ConversationDetailOut,
        errors=(404,),
        path_params=_ID,
    ),
    Operation(
        "POST",
        "/api/v1/conversations/{id}/messages",
        send_message,
        "Answer in a conversation",
        "messages",
        description="A direct note to everyone else in the conversation, answering its latest "
        "message. 404 if you are not in it.",
        request=MessageIn,
        response=NoteOut,
        status=201,
        errors=(404,),
        path_params=_ID,
    ),
    Operation(
        "POST",
        "/api/v1/conversations/{id}/read",
        mark_read,
        "Mark a conversation read",
        "messages",
        status=204,
        errors=(404,),
        path_params=_ID,
    ),
]
