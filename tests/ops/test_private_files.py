"""Files under MEDIA_ROOT are private unless they are Wagtail's public images."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["roster_imports/2026/roster.csv", "videos/1/source/talk.mp4", "../settings.py"],
)
def test_private_uploads_are_not_served(client, settings, path):
    target = settings.MEDIA_ROOT / "roster_imports" / "2026"
    target.mkdir(parents=True)
    (target / "roster.csv").write_text("工号,姓名\nE1,张伟\n", encoding="utf-8")
    response = client.get(f"{settings.MEDIA_URL}{path}")
    assert response.status_code == 404


def test_wagtail_images_are_served_while_developing(client, settings):
    images = settings.MEDIA_ROOT / "images"
    images.mkdir(parents=True)
    (images / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    response = client.get(f"{settings.MEDIA_URL}images/cover.png")
    assert response.status_code == 200
    settings.ONRAMP_SERVE_PUBLIC_IMAGES = False
    assert client.get(f"{settings.MEDIA_URL}images/cover.png").status_code == 404
