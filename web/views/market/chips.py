"""The active filters of a market search as chips: each names one filter and links to the same
search without it, so on a phone the results come first and a filter is dropped with one tap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from node.services.market.taxonomy import BY_SLUG
from web.i18n import N_
from web.views.market.labels import CONDITION_LABELS, DELIVERY_LABELS, PURPOSE_LABELS

# Each filter a chip may show, with the form parameters removing it drops (a position is two
# numbers and the order they serve), in the order the chips appear.
_REMOVES: dict[str, tuple[str, ...]] = {
    "q": ("q",),
    "tag": ("tag",),
    "category": ("category",),
    "purpose": ("purpose",),
    "city": ("city",),
    "node": ("node",),
    "min_price": ("min_price",),
    "max_price": ("max_price",),
    "condition": ("condition",),
    "delivery": ("delivery",),
    "near": ("lat", "lon", "sort"),
}
_NAMES = {
    "q": N_("Words"),
    "category": N_("Category"),
    "purpose": N_("Offers or wanted"),
    "city": N_("City"),
    "node": N_("Server (node)"),
    "min_price": N_("Minimum price"),
    "max_price": N_("Maximum price"),
    "condition": N_("Condition"),
    "delivery": N_("Delivery"),
}


@dataclass(frozen=True)
class Chip:
    name: str  # the filter, translated ("City")
    value: str  # what it is set to, as the person reads it ("Huelva")
    remove_link: str  # the same search without this filter


def link(base: str, values: dict[str, str], drop: tuple[str, ...] = ()) -> str:
    """``base`` with the non-empty ``values`` as its query, without the ``drop`` parameters."""
    params = {k: v for k, v in values.items() if v and k not in drop}
    return base + ("?" + urlencode(params) if params else "")


def _value(key: str, values: dict[str, str], language: str, gettext: Callable[[str], str]) -> str:
    value = values[key]
    if key == "category":
        return BY_SLUG[value].label(language) if value in BY_SLUG else ""
    labels = {"purpose": PURPOSE_LABELS, "condition": CONDITION_LABELS,
              "delivery": DELIVERY_LABELS}.get(key)  # fmt: skip
    if labels is not None:
        return gettext(labels[value]) if value in labels else ""
    return value


def chips(
    base: str,
    values: dict[str, str],
    language: str,
    gettext: Callable[[str], str],
    fixed_category: bool,
) -> list[Chip]:
    """One chip per filter in use (a category page's own category is not a filter there);
    unknown choices, which the search ignores, get none."""
    found: list[Chip] = []
    for key, drops in _REMOVES.items():
        if key == "near":
            if values["lat"] and values["lon"]:
                found.append(Chip(gettext(N_("Nearest first")), gettext(N_("Near you")),
                                  link(base, values, drops)))  # fmt: skip
            continue
        if key == "category" and fixed_category:
            continue
        if key == "tag":
            if values["tag"]:
                found.append(Chip("", "#" + values["tag"], link(base, values, drops)))
            continue
        if not values[key]:
            continue
        shown = _value(key, values, language, gettext)
        if shown:
            found.append(Chip(gettext(_NAMES[key]), shown, link(base, values, drops)))
    return found
