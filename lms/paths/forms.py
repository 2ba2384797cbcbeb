from wagtail.admin.forms import WagtailAdminModelForm

from lms.paths.models import Enrolment
from lms.paths.services import enrolment_assign_manually


class ManualEnrolmentForm(WagtailAdminModelForm):
    """HR assigns a path to one person by hand; saving goes through the service."""

    class Meta:
        model = Enrolment
        fields = ["employee", "path"]

    def save(self, commit: bool = True) -> Enrolment:
        self.instance = enrolment_assign_manually(
            employee=self.cleaned_data["employee"], path=self.cleaned_data["path"]
        )
        return self.instance
