"""Client findings in plain words: what will look different, and in which email clients.

caniemail speaks in CSS features and client ids ("border-radius: unsupported in
outlook.windows"); an organiser needs "Rounded corners show square in Outlook for
Windows". This module translates both; a feature it does not know is still
named, with a plain sentence around it, so nothing is hidden.
"""

from __future__ import annotations

# The client families and platforms caniemail reports (its ids are family.platform).
_FAMILIES = {
    "gmail": "Gmail", "outlook": "Outlook", "apple-mail": "Apple Mail", "yahoo": "Yahoo Mail",
    "samsung-email": "Samsung Email", "thunderbird": "Thunderbird", "aol": "AOL Mail",
    "protonmail": "Proton Mail", "fastmail": "Fastmail", "hey": "HEY", "orange": "Orange",
    "mail-ru": "Mail.ru", "sfr": "SFR", "gmx": "GMX", "web-de": "WEB.DE", "ionos": "IONOS",
    "libero": "Libero", "free-fr": "Free.fr", "t-online-de": "T-Online",
}
_PLATFORMS = {
    "desktop-webmail": "on the web", "mobile-webmail": "in a phone's browser",
    "ios": "for iPhone and iPad", "android": "for Android", "macos": "for Mac",
    "windows": "for Windows", "desktop-app": "desktop app",
}
_WHOLE = {
    "outlook.windows": "Outlook for Windows (2007-2019 and classic)",
    "outlook.windows-mail": "Windows Mail",
    "outlook.outlook-com": "Outlook.com",
}

# What a reader sees when a client ignores the feature, in the digest's own use of it.
_EFFECTS = {
    "<body> element": "the page background may not reach the edges",
    "<style> element": "dark mode and the phone tweaks are dropped; the inlined light design "
                       "shows",
    "@media": "the phone layout tweaks and dark-mode colours are ignored",
    "Chaining selectors": "some dark-mode and client-specific rules are ignored",
    "Class selector": "rules in the email's head are ignored; the inlined design shows",
    "Descendant combinator": "dark-mode rules are ignored",
    "ID selector": "a reset rule for Outlook.com is ignored",
    "Type selector": "head rules for paragraphs and headings are ignored (they are inlined too)",
    "Local anchors": "the contents links do not jump within the email",
    "aria-label attribute": "screen readers do not hear the email's label (they still read "
                            "its headings)",
    "aria-hidden attribute": "screen readers may read decorative spacing",
    "role attribute": "screen readers may announce layout tables as tables",
    "border-radius": "rounded corners show square",
    "color-scheme meta tag": "the email does not declare its dark-mode support; the client "
                             "may invert colours itself",
    "display:none": "the hidden preheader text may show at the top",
    "height property": "some spacing may be taller or shorter",
    "max-height property": "the hidden preheader text may take space",
    "opacity": "faded text shows at full strength",
    "outline": "focus outlines are missing",
    "overflow": "long content is not clipped",
    "word-break": "very long words and links may not wrap",
    "word-spacing": "spacing between words may differ slightly",
    "background-image": "background images are not shown",
    "box-shadow": "shadows are not shown",
    "margin": "some spacing may differ",
    "padding": "some spacing may differ",
    "width property": "some widths may differ",
    "max-width property": "the email may be wider than intended",
    "font-family": "a fallback font is used",
    "line-height": "line spacing may differ",
    "text-decoration": "underlines may differ",
    "image maps": "image maps do not work",
    "SVG images": "SVG images do not show",
    "WebP image format": "WebP images do not show",
}


def client_name(client_id: str) -> str:
    """"outlook.windows" -> "Outlook for Windows (2007-2019 and classic)"; unknown ids as given."""
    if client_id in _WHOLE:
        return _WHOLE[client_id]
    family, _, platform = client_id.partition(".")
    name = _FAMILIES.get(family)
    if name is None:
        return client_id
    where = _PLATFORMS.get(platform, platform.replace("-", " "))
    return f"{name} {where}".strip()


def describe(feature: str, clients: set[str] | frozenset[str]) -> str:
    """One plain sentence: in these clients, this is what looks different."""
    names = sorted(client_name(c) for c in clients)
    where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    effect = _EFFECTS.get(feature)
    if effect is None:
        return f"In {where}: the email uses {feature}, which is not supported there; " \
               "look at it in that client before sending"
    return f"In {where}: {effect} ({feature})"
