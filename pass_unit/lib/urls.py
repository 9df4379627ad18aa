"""URLs for long lists."""

from collections.abc import Callable

from django.urls import reverse

# The largest key: a number no URL prefix holds, replaced in the reversed URL by each row's key.
_PK_MARK = 2147483647


def url_by_pk(name: str) -> Callable[[int], str]:
    """The URL of the pattern `name` (one integer argument, the key) for any key, reversed once:
    a `{% url %}` per row of a long list (25 to 200 links) was a good part of its rendering."""
    head, tail = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return lambda pk: f"{head}{int(pk)}{tail}"
