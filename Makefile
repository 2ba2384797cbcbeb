.PHONY: run dev test setup lint messages

# Set up everything and run Onramp (web + task workers) on http://127.0.0.1:8000/ in the
# production configuration (DEBUG off), with the demo data.
run:
	scripts/run.sh

# The same with DEBUG on and Django's auto-reloading server; `make dev VITE=1` also
# runs Vite's dev server for the frontend. Never for a site others can reach.
dev:
	scripts/run.sh --dev

# Set up everything (plus test tools and Chromium) and run the whole test suite.
test:
	scripts/setup.sh --test
	.venv/bin/pytest

setup:
	scripts/setup.sh

# Lint and consistency checks that CI runs after the tests.
lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-logo
	.venv/bin/python manage.py check
	.venv/bin/python manage.py makemigrations --check --dry-run
	scripts/check_messages.sh

# Refresh the translation catalogues after changing user-facing text.
messages:
	.venv/bin/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=frontend/node_modules --ignore=var
	@# Translations written beside a feature (locale/_incoming/*.po, zh-hans) fill the
	@# strings the catalogue does not translate yet; a catalogue entry always wins.
	@if ls locale/_incoming/*.po >/dev/null 2>&1; then \
	  msgcat --use-first -o var/incoming.po locale/_incoming/*.po && \
	  msgmerge -q --no-fuzzy-matching -C var/incoming.po \
	    -o locale/zh_Hans/LC_MESSAGES/django.po \
	    locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/LC_MESSAGES/django.po; fi
	@# English is the source language: its catalogue repeats each source string.
	for po in locale/en/LC_MESSAGES/*.po; do \
	  msgen --no-wrap -o "$$po" "$$po"; done
