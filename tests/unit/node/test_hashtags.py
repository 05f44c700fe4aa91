"""Hashtag names matched as Mastodon matches them, and hashtag links pointed at our tag pages."""

from __future__ import annotations

from node.services import hashtags


def test_normalising_folds_case_accents_and_width_as_mastodon_does() -> None:
    assert hashtags.normalise("#Artesanía") == "artesania"
    assert hashtags.normalise("ＬＥＰＥ") == "lepe"
    assert hashtags.normalise("São_João") == "sao_joao"
    assert hashtags.normalise("حرف") == "حرف"  # other scripts stay as they are
    assert hashtags.normalise("pan-de-campo") == "pandecampo"
    assert hashtags.keys_text(["Artesania", "#artesanía", "Faro"]) == " artesania faro "
    html = '<p><a href="https://x.example/tags/Pan">#<span>Pan</span></a> <a href="https://x.example/#pan">#pan</a></p>'
    assert hashtags.link_tags_here(html, {"pan"}).count('href="/tags/pan"') == 2
    assert hashtags.link_tags_here(html, {"queso"}) == html
