"""Markdown → safe HTML, remote HTML sanitising, mentions and hashtags, and the text limits."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from node.errors import ValidationFailed
from node.services import text

LINKS = {
    ("ana", None): "https://test.example/@ana",
    ("bob", "faro.example"): "https://faro.example/@bob",
}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def parse_elements(markup: str) -> list[tuple[str, dict[str, str]]]:
    """Every element of ``markup`` as a browser would see it: (tag, attributes)."""
    parser = _Elements()
    parser.feed(markup)
    return parser.found


def tag_url(name: str) -> str:
    return f"https://test.example/tags/{name.lower()}"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='javascript:alert(1)'>x</a>",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        "![pixel](https://tracker.example/p.png)",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_markdown_never_produces_script_handlers_or_unsafe_links(hostile: str) -> None:
    out = text.render_markdown(f"hola {hostile} fin")
    elements = parse_elements(out)
    for tag, attrs in elements:
        assert tag in text.ALLOWED_TAGS, tag
        assert set(attrs) <= {"href", "class", "rel"}, attrs
        assert attrs.get("href", "https:").startswith(("https:", "http:", "mailto:")), attrs
    assert "hola" in out
    assert "fin" in out


def test_raw_html_in_markdown_is_shown_as_text_not_markup() -> None:
    out = text.render_markdown("a <b>b</b> c")
    assert out == "<p>a &lt;b&gt;b&lt;/b&gt; c</p>"


def test_markdown_formatting_maps_to_mastodons_tags() -> None:
    out = text.render_markdown("**bold** _it_ ~~old~~ `code`\n\n> quoted\n\n- one\n- two")
    assert "<strong>bold</strong>" in out
    assert "<em>it</em>" in out
    assert "<del>old</del>" in out
    assert "<code>code</code>" in out
    assert "<blockquote>" in out
    assert "<li>one</li>" in out


def test_line_breaks_are_kept() -> None:
    assert text.render_markdown("one\ntwo") == "<p>one<br>\ntwo</p>"


def test_links_are_linkified_with_nofollow_and_only_web_schemes() -> None:
    out = text.render_markdown("see https://lapalma.example/mercado?x=1 and [mail](mailto:a@b.es)")
    assert (
        '<a href="https://lapalma.example/mercado?x=1" rel="nofollow noopener noreferrer">' in out
    )
    assert 'href="mailto:a@b.es"' in out


def test_headings_and_images_are_not_structure_in_posts() -> None:
    out = text.render_markdown("# title\n\n![alt](https://x.example/a.png)")
    assert "<h1" not in out
    assert "<img" not in out
    assert "# title" in out


def test_resolved_mentions_become_mastodon_h_cards_and_unknown_ones_stay_text() -> None:
    out = text.render_markdown(
        "hi @ana, @Bob@faro.example and @nobody@else.example", mention_links=LINKS
    )
    assert (
        '<span class="h-card"><a href="https://test.example/@ana" class="u-url mention" '
        'rel="nofollow noopener noreferrer">@<span>ana</span></a></span>'
    ) in out
    assert 'href="https://faro.example/@bob"' in out
    assert "@nobody@else.example" in out
    assert out.count("h-card") == 2


def test_mentions_on_real_top_level_domains_are_not_swallowed_by_linkify() -> None:
    links = {("bob", "faro.pt"): "https://faro.pt/@bob", ("x", "lepe.es:8443"): "https://x/@x"}
    out = text.render_markdown(
        "hola @bob@faro.pt y @x@lepe.es:8443, web faro.pt", mention_links=links
    )
    assert text.extract_mentions("hola @bob@faro.pt y @x@lepe.es:8443") == list(links)
    assert out.count('class="u-url mention"') == 2
    assert '<a href="http://faro.pt"' in out  # a bare domain is still a link


def test_hashtags_link_to_tag_pages() -> None:
    out = text.render_markdown("pan #Pan #123 y#not", tag_url=tag_url)
    assert (
        '<a href="https://test.example/tags/pan" class="mention hashtag" '
        'rel="nofollow noopener noreferrer">#<span>Pan</span></a>'
    ) in out
    assert "#123" in out
    assert "y#not" in out


def test_mentions_and_hashtags_are_extracted_once_in_order_outside_code_and_links() -> None:
    source = (
        "@Ana hola @bob@Faro.Example y @ana otra vez #Pan #pan #Mercadillo\n"
        "`@code #code` [@link #link](https://x.example) correo ana@example.org "
        "https://x.example/#frag https://x.example/@user"
    )
    assert text.extract_mentions(source) == [("ana", None), ("bob", "faro.example")]
    assert text.extract_hashtags(source) == ["pan", "mercadillo"]


def test_remote_html_keeps_mastodon_classes_and_drops_everything_else() -> None:
    received = (
        '<p><span class="h-card"><a href="https://m.example/@x" class="u-url mention">@<span>x'
        '</span></a></span> <a href="https://m.example/tags/pan" class="mention hashtag" '
        'rel="tag">#<span>pan</span></a> <a href="https://long.example/a"><span class="invisible">'
        'https://</span><span class="ellipsis">long.example</span></a></p>'
        "<img src=x onerror=alert(1)><script>alert(1)</script><style>p{}</style>"
        '<a href="/relative" class="evil">rel</a><a href="javascript:alert(1)">js</a>'
        '<p onclick="x()" class="bad">text</p><h1>Title</h1>'
    )
    out = text.sanitize_remote_html(received)
    for tag, attrs in parse_elements(out):
        assert tag in text.ALLOWED_TAGS, tag
        assert set(attrs) <= {"href", "class", "rel"}, attrs
        assert attrs.get("href", "https:").startswith("https:"), attrs
    assert 'class="u-url mention"' in out
    assert 'class="mention hashtag"' in out
    assert '<span class="invisible">https://</span>' in out
    assert '<span class="ellipsis">' in out
    for bad in ("alert", "p{}", "/relative", "evil", "javascript", "bad"):
        assert bad not in out, bad
    assert "Title" in out
    assert out.count('rel="nofollow noopener noreferrer"') == 5


def test_remote_html_over_the_limit_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        text.sanitize_remote_html("a" * (text.MAX_REMOTE_HTML_CHARS + 1))


def test_plain_text_and_excerpt() -> None:
    html = "<p>Pan de campo &amp; más<br>línea</p><p>segundo " + "palabra " * 100 + "</p>"
    plain = text.plain_text(html)
    assert plain.startswith("Pan de campo & más\nlínea\n\nsegundo")
    short = text.excerpt(html, 60)
    assert len(short) <= 60
    assert short.endswith("…")
    assert "\n" not in short
    assert text.excerpt("<p>corto</p>") == "corto"


def test_content_limits_give_clear_field_errors() -> None:
    with pytest.raises(ValidationFailed) as empty:
        text.validate_note_content("  \n ")
    assert empty.value.errors[0].field == "content"
    with pytest.raises(ValidationFailed) as long:
        text.validate_note_content("x" * (text.MAX_NOTE_CHARS + 1))
    assert "5000" in long.value.message
    assert text.validate_note_content("x" * text.MAX_NOTE_CHARS) == "x" * text.MAX_NOTE_CHARS


@pytest.mark.parametrize("good", ["es", "pt", "en", "fr", "ar", "ES"])
def test_local_languages_are_the_nodes_five(good: str) -> None:
    assert text.validate_local_language(good) == good.lower()


@pytest.mark.parametrize("bad", ["de", "", "español", "es-ES"])
def test_other_local_languages_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        text.validate_local_language(bad)
    assert error.value.errors[0].field == "language"


@pytest.mark.parametrize(
    ("received", "stored"),
    [("pt-BR", "pt-BR"), ("EN", "en"), ("zh-Hant-TW", "zh-Hant-TW"), ("es-419", "es-419"),
     ("", None), (None, None), ("not a language", None), ("e", None), ("<script>", None)],
)  # fmt: skip
def test_remote_languages_must_be_bcp47(received: str | None, stored: str | None) -> None:
    assert text.normalise_remote_language(received) == stored
