"""Spreadsheet exports: formula-safe cells, streamed XLSX, admin list downloads.

Shared by every app that writes CSV or XLSX (org, surveys, reports), so it sits below all
of them and imports none of the learning domain.
"""
