# ruff: noqa: E501 - one category per line reads better than the line limit
"""The fixed category taxonomy of listings, fit for small businesses.

Slugs are what is stored and sent (``ruta:category``); they never change once published. The
labels in the five interface languages are kept here too, because the domain writes the
category into federated text (a hashtag, the first line of a listing); the web adapter's Babel
catalog ``web/i18n/<lang>/LC_MESSAGES/market.po`` carries the same labels for the pages (a test
keeps both in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from node.errors import ValidationFailed
from node.services import hashtags


@dataclass(frozen=True)
class Category:
    slug: str
    hashtag: str  # without "#": Spanish, the network's common language, as its cities tag posts
    labels: dict[str, str]  # language -> label; "en" is the msgid in the catalogs

    def label(self, language: str | None) -> str:
        return self.labels.get(language or "en") or self.labels["en"]


def _c(slug: str, hashtag: str, en: str, es: str, pt: str, fr: str, ar: str) -> Category:
    return Category(slug, hashtag, {"en": en, "es": es, "pt": pt, "fr": fr, "ar": ar})


CATEGORIES: tuple[Category, ...] = (
    _c("food", "Alimentacion", "Food and drink", "Alimentación y bebidas", "Alimentação e bebidas", "Alimentation et boissons", "الطعام والشراب"),
    _c("crafts", "Artesania", "Crafts", "Artesanía", "Artesanato", "Artisanat", "الحرف اليدوية"),
    _c("clothing", "Ropa", "Clothing and accessories", "Ropa y complementos", "Roupa e acessórios", "Vêtements et accessoires", "الملابس والإكسسوارات"),
    _c("beauty", "Belleza", "Beauty and hairdressing", "Belleza y peluquería", "Beleza e cabeleireiro", "Beauté et coiffure", "التجميل وتصفيف الشعر"),
    _c("home", "Hogar", "Home and garden", "Hogar y jardín", "Casa e jardim", "Maison et jardin", "المنزل والحديقة"),
    _c("electronics", "Electronica", "Electronics", "Electrónica", "Eletrónica", "Électronique", "الإلكترونيات"),
    _c("repairs", "Reparaciones", "Repairs and maintenance", "Reparaciones y mantenimiento", "Reparações e manutenção", "Réparations et entretien", "الإصلاح والصيانة"),
    _c("care", "Cuidados", "Care and home help", "Cuidados y ayuda a domicilio", "Cuidados e apoio domiciliário", "Soins et aide à domicile", "الرعاية والمساعدة المنزلية"),
    _c("cleaning", "Limpieza", "Cleaning", "Limpieza", "Limpeza", "Nettoyage", "التنظيف"),
    _c("tourism", "Turismo", "Tourism and accommodation", "Turismo y alojamiento", "Turismo e alojamento", "Tourisme et hébergement", "السياحة والإقامة"),
    _c("transport", "Transporte", "Transport and removals", "Transporte y mudanzas", "Transporte e mudanças", "Transport et déménagement", "النقل والترحيل"),
    _c("lessons", "Clases", "Lessons and translation", "Clases y traducción", "Aulas e tradução", "Cours et traduction", "الدروس والترجمة"),
    _c("digital", "ServiciosDigitales", "Digital services", "Servicios digitales", "Serviços digitais", "Services numériques", "الخدمات الرقمية"),
    _c("agriculture", "Agricultura", "Farming and livestock", "Agricultura y ganadería", "Agricultura e pecuária", "Agriculture et élevage", "الزراعة وتربية المواشي"),
    _c("other", "Mercadillo", "Other", "Otros", "Outros", "Autres", "أخرى"),
)  # fmt: skip

BY_SLUG: dict[str, Category] = {c.slug: c for c in CATEGORIES}


def category(slug: str) -> Category:
    """The category with this slug; a field error naming the valid ones otherwise."""
    found = BY_SLUG.get(slug.strip().lower()) if isinstance(slug, str) else None
    if found is None:
        choices = ", ".join(BY_SLUG)
        raise ValidationFailed.on("category", f"Unknown category {slug!r}: use one of {choices}.")
    return found


def category_by_hashtag(name: str) -> Category | None:
    """A received listing's category from one of its hashtags (software that sends no slug)."""
    wanted = hashtags.normalise(name)  # "#Artesanía" is the crafts tag as much as "#Artesania"
    return next((c for c in CATEGORIES if hashtags.normalise(c.hashtag) == wanted), None)
