"""Translations of a page: which one progress, paths and reports count."""

from __future__ import annotations

from wagtail.models import Locale, Page


def canonical_page(page: Page) -> Page:
    """The page in the site's default language with the same translation key, else the page.

    A learner reading a translation (or the automatic alias in their language) makes
    progress on the one course that reports and learning paths know about.
    """
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page
    return page.get_translation_or_none(default) or page
