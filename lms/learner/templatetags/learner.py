from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def due_in_words(days_left: int | None) -> str:
    """'3 天后到期' / '已逾期 2 天' / '今天到期' — server time decides, not the phone's clock."""
    if days_left is None:
        return ""
    if days_left == 0:
        return _("Due today")
    if days_left > 0:
        return ngettext("Due in %(n)d day", "Due in %(n)d days", days_left) % {"n": days_left}
    late = -days_left
    return ngettext("%(n)d day overdue", "%(n)d days overdue", late) % {"n": late}
