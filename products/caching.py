"""Caching what buyers see of the catalogue, where it stays correct.

Every cached value is filed under the catalogue's version (CatalogueVersion): a number in the database that
grows, once the writing transaction has committed, whenever a product, its specifications, images or
documents, a category, a manufacturer, a hub or a listing is saved or deleted (the receivers are connected
by each app's AppConfig.ready(), and `rebuild_catalogue_index` bumps it after bulk writes). A request reads
the version once, so what a coordinator changes is seen on the next page by every buyer, on every app server,
whatever the cache backend. Old entries are never read again and expire.

What depends on the buyer's country (listings, counts, anything need-to-know) has the country in its key:
a buyer never sees what was cached for another country. Nothing per user is cached here: pages keep their
user's own parts (forms with CSRF tokens, the comparison) out of what they cache.

The cache is Django's default: Redis when REDIS_URL is set, shared by every app server; otherwise each
process's memory. HUBCATALOG_CATALOGUE_CACHE_SECONDS (settings.CATALOGUE_CACHE_SECONDS) is how long an entry
lives; 0 turns this caching off.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F
from django.utils import timezone

from products.models import CatalogueVersion


def catalogue_version(request=None, using: str = DEFAULT_DB_ALIAS) -> int:
    """The current version, read from the database once per request."""
    if request is not None and hasattr(request, "catalogue_version"):
        return request.catalogue_version
    number = CatalogueVersion.objects.using(using).values_list("number", flat=True).first() or 0
    if request is not None:
        request.catalogue_version = number
    return number


def bump_catalogue_version(using: str = DEFAULT_DB_ALIAS):
    """Grow the version once the current transaction commits (at once outside a transaction).

    After the commit, not before: a page read between a bump and the commit would file the old data under
    the new version.
    """

    def bump():
        versions = CatalogueVersion.objects.using(using)
        if not versions.filter(pk=1).update(number=F("number") + 1):
            versions.get_or_create(pk=1, defaults={"number": 1})

    transaction.on_commit(bump, using=using)


def bump_on_change(sender, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    """Signal receiver for post_save and post_delete of what buyers see. Fixtures (raw saves) are left to
    `rebuild_catalogue_index`, which bumps once rather than once per row."""
    if not raw:
        bump_catalogue_version(using)


# Raised whenever what is cached changes shape (a new field on a card), so that a new release never
# reads entries that an older release wrote.
CACHE_LAYOUT = 4  # 3: cards and product pages show forms of cooperation; 4: content in every language


def cache_key(version: int, parts: tuple) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f"catalogue:{CACHE_LAYOUT}:{version}:{digest}"


def cached(request, parts: tuple, compute: Callable):
    """The value filed under `parts` at the current version, computed and stored if missing. `parts` must
    hold everything the value depends on besides the catalogue's data: the country for anything
    need-to-know, the language for rendered text, the query for a page of results. Today's date is added:
    a listing past its validity date stops counting as available at midnight, with no write to bump."""
    timeout = settings.CATALOGUE_CACHE_SECONDS
    if not timeout:
        return compute()
    key = cache_key(catalogue_version(request), (*parts, timezone.localdate().isoformat()))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def cached_each(request, parts: dict, compute: Callable[[list], dict]) -> dict:
    """For each key of `parts` (a dict of key: parts as for cached()), its value: those filed already in one
    read of the cache, the others computed together by `compute(missing keys)` and stored."""
    timeout = settings.CATALOGUE_CACHE_SECONDS
    if not timeout:
        return compute(list(parts))
    version, today = catalogue_version(request), timezone.localdate().isoformat()
    keys = {key: cache_key(version, (*key_parts, today)) for key, key_parts in parts.items()}
    found = cache.get_many(list(keys.values()))
    values = {key: found[cache_name] for key, cache_name in keys.items() if cache_name in found}
    missing = [key for key in parts if key not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[key]: value for key, value in computed.items()}, timeout)
        values.update(computed)
    return values
