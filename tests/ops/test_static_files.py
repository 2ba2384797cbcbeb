"""What a phone gets for static files in production: compressed, hashed, kept a year.

collectstatic runs here on the Vite build alone (Wagtail's admin files would take
minutes to compress), with the production storage, then WhiteNoise answers.
"""

import json
import re

import pytest
from django.conf import settings as live_settings
from django.core.management import call_command
from django.template import engines
from django.test import Client

A_YEAR_IMMUTABLE = "max-age=315360000, public, immutable"


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return json.loads((live_settings.BASE_DIR / "frontend" / "dist" / "manifest.json").read_text())


def hls_chunk(manifest: dict) -> str:
    [name] = [entry["file"] for entry in manifest.values() if "hls.light" in entry["file"]]
    return name


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_hls_js_as_the_player_imports_it_is_compressed_and_immutable(collected, encoding):
    # The lesson script's dynamic import() asks for Vite's own hashed name.
    url = f"/static/{hls_chunk(collected)}"
    response = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert response["Cache-Control"] == A_YEAR_IMMUTABLE
    assert response["Vary"] == "Accept-Encoding"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) < 150_000  # 367 KB uncompressed


def test_templates_name_the_manifest_files_which_are_immutable_too(collected):
    tags = engines["django"].from_string(
        '{% load django_vite %}{% vite_asset "src/player/lesson.ts" %}'
    )
    html = tags.render({})
    [src] = re.findall(r'src="(/static/assets/lesson-[^"]+)"', html)
    assert re.fullmatch(r"/static/assets/lesson-[\w-]{8}\.[0-9a-f]{12}\.js", src)
    response = Client().get(src, HTTP_ACCEPT_ENCODING="br")
    assert response["Cache-Control"] == A_YEAR_IMMUTABLE
    assert response["Content-Encoding"] == "br"
