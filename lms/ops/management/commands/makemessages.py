from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # A guessed ("fuzzy") translation of a similar string is worse than none: it is
    # wrong in English (where the catalogue repeats the source) and easy to miss in
    # Chinese. New strings arrive empty and scripts/check_messages.sh flags them.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
