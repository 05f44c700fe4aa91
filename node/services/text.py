"""Text of posts: markdown in, safe HTML out, and what the text mentions.

Local posts are written in markdown (no raw HTML, no images) and rendered to HTML; every piece of
HTML we store — ours or received — then goes through one nh3 cleaner with Mastodon's allow-list
(FEDERATION.md §5.0.3, SECURITY.md "Web and API"), so a Mastodon timeline shows our posts as we
do and nothing a remote server sends can run script on our pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Final

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from node.config import LANGUAGES
from node.errors import ValidationFailed

# Characters of markdown a local post may have (Mastodon allows 500; our listings and
# announcements are longer, and the limit is what keeps a post readable in a timeline).
MAX_NOTE_CHARS: Final = 5000
# A remote post larger than this is refused rather than truncated (cutting HTML corrupts it).
MAX_REMOTE_HTML_CHARS: Final = 100_000
MAX_SUMMARY_CHARS: Final = 500
EXCERPT_CHARS: Final = 500

# Mastodon's allow-list (app/lib/sanitize_ext/sanitize_config.rb, MASTODON_STRICT).
ALLOWED_TAGS: Final = frozenset(
    {"p", "br", "a", "span", "strong", "em", "b", "i", "u", "del", "code", "pre", "blockquote"}
    | {"ul", "ol", "li"}
)
# Microformat and Mastodon classes that carry meaning (mentions, hashtags, shortened links).
ALLOWED_CLASSES: Final = frozenset(
    {"h-card", "u-url", "mention", "hashtag", "ellipsis", "invisible", "quote-inline"}
)
LINK_REL: Final = "nofollow noopener noreferrer"
URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
    attributes={"a": {"href"}, "ol": {"start"}},
    allowed_classes={"a": set(ALLOWED_CLASSES), "span": set(ALLOWED_CLASSES)},
    link_rel=LINK_REL,
    url_schemes=set(URL_SCHEMES),
    # A relative link in a received post would point into our own site.
    url_relative="deny",
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})

# Mastodon's MENTION_RE and HASHTAG_RE, simplified: a mention is @user or @user@host, not
# preceded by a word character or a slash (so e-mail addresses and URL paths are not mentions);
# a hashtag has at least one letter.
MENTION_RE: Final = re.compile(
    r"(?<![\w/@.])@(?P<user>[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
    r"(?:@(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?))?(?![\w@])"
)
HASHTAG_RE: Final = re.compile(r"(?<![\w/&#)])#(?P<tag>\w*[^\W\d]\w*)")
# BCP-47: language[-script][-region][-variant...], the shapes peers actually send.
_BCP47_RE: Final = re.compile(
    r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*$"
)

Mention = tuple[str, str | None]  # (user, host or None for this node)
MentionLinks = Mapping[Mention, str]  # resolved mention -> the actor's profile URL


def _markdown() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": True, "breaks": True, "typographer": False}
    )
    md.enable(["linkify", "strikethrough"])
    # Images would embed third-party requests in every reader's page; headings, rules and
    # setext headings turn a hashtag line or a signature dash into page structure.
    md.disable(["image", "heading", "lheading", "hr"])
    # "ana@example.org" is an e-mail address, not a link: Mastodon-style mentions look the same.
    assert md.linkify is not None  # linkify-it-py is a dependency
    md.linkify.set({"fuzzy_email": False})
    return md


_MD = _markdown()


# --- rendering ------------------------------------------------------------------------------


def render_markdown(
    source: str,
    *,
    mention_links: MentionLinks | None = None,
    tag_url: Callable[[str], str] | None = None,
) -> str:
    """Markdown of a local post → sanitised HTML.

    Mentions found in ``mention_links`` (keys as :func:`extract_mentions` returns them, user
    lower-cased) become Mastodon-style ``h-card`` links; hashtags link to ``tag_url(name)``.
    """
    env: dict[str, object] = {"mention_links": mention_links or {}, "tag_url": tag_url}
    rendered = _MD.renderer.render(_tokens(source, env), _MD.options, env)
    return sanitize_html(rendered).strip()


def _tokens(source: str, env: dict[str, object]) -> list[Token]:
    state = StateCore(source, _MD, env)
    _MD.core.process(state)
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = list(_link_mentions_and_tags(block.children, env))
    return state.tokens


def _link_mentions_and_tags(children: list[Token], env: dict[str, object]) -> Iterator[Token]:
    links = env.get("mention_links")
    tag_url = env.get("tag_url")
    in_link = 0
    for token in children:
        if token.type in ("s_open", "s_close"):
            token.tag = "del"  # Mastodon keeps <del>, not <s>
        if token.type == "link_open":
            in_link += 1
        elif token.type == "link_close":
            in_link -= 1
        if token.type != "text" or in_link:
            yield token
            continue
        yield from _split_text(token.content, links, tag_url)


def _split_text(text: str, links: object, tag_url: object) -> Iterator[Token]:
    pos = 0
    for match in _MENTION_OR_TAG.finditer(text):
        replacement = _linked(match, links, tag_url)
        if replacement is None:
            continue
        if match.start() > pos:
            yield _text_token(text[pos : match.start()])
        yield replacement
        pos = match.end()
    if pos < len(text):
        yield _text_token(text[pos:])


_MENTION_OR_TAG: Final = re.compile(f"{MENTION_RE.pattern}|{HASHTAG_RE.pattern}")


def _linked(match: re.Match[str], links: object, tag_url: object) -> Token | None:
    esc = html.escape
    if match.group("user") is not None:
        key = _mention_key(match.group("user"), match.group("host"))
        href = links.get(key) if isinstance(links, Mapping) else None
        if href is None:
            return None
        markup = (
            f'<span class="h-card"><a href="{esc(href)}" class="u-url mention">'
            f"@<span>{esc(match.group('user'))}</span></a></span>"
        )
    else:
        if not callable(tag_url):
            return None
        name = match.group("tag")
        markup = (
            f'<a href="{esc(tag_url(name))}" class="mention hashtag" rel="tag">'
            f"#<span>{esc(name)}</span></a>"
        )
    token = Token("html_inline", "", 0)
    token.content = markup
    return token


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _mention_key(user: str, host: str | None) -> Mention:
    return (user.lower(), host.lower() if host else None)


# --- extraction -----------------------------------------------------------------------------


def _plain_text_runs(source: str) -> Iterator[str]:
    """The text of a post outside code and links: where mentions and hashtags count."""
    state = StateCore(source, _MD, {})
    _MD.core.process(state)
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_link = 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            elif token.type == "text" and not in_link:
                yield token.content


def extract_mentions(source: str) -> list[Mention]:
    """``@user`` and ``@user@host`` in a post's markdown, in order, each once.

    Users and hosts are lower-cased; the host is None for a bare ``@user`` (this node).
    Mentions inside code or link text do not count.
    """
    found: dict[Mention, None] = {}
    for run in _plain_text_runs(source):
        for match in MENTION_RE.finditer(run):
            found.setdefault(_mention_key(match.group("user"), match.group("host")))
    return list(found)


def extract_hashtags(source: str) -> list[str]:
    """Hashtags of a post's markdown, without ``#``, lower-cased, in order, each once."""
    found: dict[str, None] = {}
    for run in _plain_text_runs(source):
        for match in HASHTAG_RE.finditer(run):
            found.setdefault(match.group("tag").lower())
    return list(found)


# --- sanitising received and stored HTML ----------------------------------------------------


def sanitize_html(markup: str) -> str:
    """Any HTML → HTML with only Mastodon's tags, classes and http/https/mailto links."""
    return _CLEANER.clean(markup)


def sanitize_remote_html(markup: str) -> str:
    """HTML received from another server → what we store and show.

    The same allow-list as our own posts; Mastodon's mention/hashtag classes and ``invisible``/
    ``ellipsis`` link shortening survive, everything that could run or track does not.
    """
    if len(markup) > MAX_REMOTE_HTML_CHARS:
        raise ValidationFailed.on(
            "content",
            f"The post is longer than {MAX_REMOTE_HTML_CHARS} characters of HTML.",
        )
    return sanitize_html(markup)


_LINE_BREAK = re.compile(r"(?i)<br\s*/?>\n?")
_BLOCK_END = re.compile(r"(?i)(?:</p>|</li>|</blockquote>|</pre>)\s*")


def plain_text(markup: str) -> str:
    """HTML → readable plain text (paragraphs and line breaks become newlines)."""
    marked = _BLOCK_END.sub("\n\n", _LINE_BREAK.sub("\n", markup))
    text = html.unescape(_TEXT_ONLY.clean(marked))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def excerpt(markup: str, limit: int = EXCERPT_CHARS) -> str:
    """A plain-text excerpt of at most ``limit`` characters (summaries, link cards, titles)."""
    text = " ".join(plain_text(markup).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + "…"


# --- validation -----------------------------------------------------------------------------


def validate_note_content(source: str) -> str:
    """The markdown of a local post, checked: not empty, at most :data:`MAX_NOTE_CHARS`."""
    text = source.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed.on("content", "Write something: the post is empty.")
    if len(text) > MAX_NOTE_CHARS:
        raise ValidationFailed.on(
            "content",
            f"Posts can have at most {MAX_NOTE_CHARS} characters; this one has {len(text)}.",
        )
    return text


def validate_local_language(language: str) -> str:
    """A local post's language: one of the node's languages (es, pt, en, fr, ar)."""
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise ValidationFailed.on(
            "language", f"Language must be one of {', '.join(LANGUAGES)} (got {language!r})."
        )
    return code


def normalise_remote_language(language: str | None) -> str | None:
    """A received post's language if it is a well-formed BCP-47 tag (``pt-BR``), else None."""
    if not language:
        return None
    tag = language.strip()
    if len(tag) > 16 or not _BCP47_RE.match(tag):
        return None
    head, *rest = tag.split("-")
    return "-".join([head.lower(), *(_canonical_subtag(sub) for sub in rest)])


def _canonical_subtag(sub: str) -> str:
    """BCP-47 casing: scripts title-case (``Hant``), regions upper-case (``BR``)."""
    if len(sub) == 4 and sub.isalpha():
        return sub.title()
    if len(sub) == 2 and sub.isalpha():
        return sub.upper()
    return sub.lower()
