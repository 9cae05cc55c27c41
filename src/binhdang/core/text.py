"""Vietnamese text helpers shared by every app."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case text without diacritics, so that "Quang Ngai" matches "Quảng Ngãi"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    # đ is a letter of its own, not a d with a mark, so NFD leaves it alone.
    return " ".join(stripped.replace("đ", "d").split())


def matching(queryset, text: str, field: str = "search_text"):
    """Rows whose folded `field` holds every word of `text`, typed with or without diacritics."""
    for word in fold(text or "").split():
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


def in_language(vietnamese: str, english: str) -> str:
    """The English text when the interface is in English and there is one, else the Vietnamese."""
    from django.utils.translation import get_language

    return english if english and get_language() == "en" else vietnamese
