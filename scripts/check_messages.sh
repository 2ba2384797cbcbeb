#!/usr/bin/env bash
# Fails when a user-facing string has no translation in zh-hans or en.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s messages >/dev/null
status=0
for po in locale/*/LC_MESSAGES/*.po; do
  stats=$(msgfmt --statistics -o /dev/null "$po" 2>&1)
  if echo "$stats" | grep -qE 'fuzzy|untranslated'; then
    echo "$po: $stats"
    msgattrib --untranslated --only-fuzzy --no-obsolete "$po" 2>/dev/null | grep -A1 '^msgid ' | head -20
    msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | grep -v '^--$' | tail -n +3 | head -40
    status=1
  else
    echo "$po: $stats"
  fi
done
exit $status
