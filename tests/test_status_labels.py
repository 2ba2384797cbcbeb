"""A status says what state a thing is in, not the heading of a date column that shares
its English word ("Uploaded" is both)."""

import pytest
from django.utils import translation

from lms.org.models import RosterImport
from media.models import Video


@pytest.mark.parametrize("status", [Video.Status.UPLOADED, RosterImport.Status.UPLOADED])
def test_an_uploaded_status_reads_as_a_state_in_chinese(status):
    with translation.override("zh-hans"):
        assert str(status.label) == "已上传"
        assert translation.gettext("Uploaded") == "上传时间"  # the column heading
    with translation.override("en"):
        assert str(status.label) == "Uploaded"
