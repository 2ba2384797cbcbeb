from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ quiz_status|get_item:block.id }}`: a dict lookup with a variable key."""
    if not mapping:
        return None
    return mapping.get(key)
