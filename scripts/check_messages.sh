#!/usr/bin/env bash
# Fails when a user-facing string has no translation in zh-hans or en.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s messages >/dev/null
status=0
for po in locale/*/LC_MESSAGES/*.po; do
  missing=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
  # msgattrib prints the header entry too when anything is left.
  if [ "$missing" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
    echo "$po: untranslated or fuzzy entries:"
    msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | grep -v '^msgid ""$' | head -40
    msgattrib --only-fuzzy --no-obsolete "$po" | grep -A1 '^msgid ' | head -20
    status=1
  fi
done
exit $status
