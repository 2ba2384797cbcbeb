"""Copying a learning path in the admin (a new intake's path starts from last year's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.paths.models import LearningPath
from lms.paths.services import path_copy


class PathCopyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the copy"), max_length=200)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if LearningPath.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A learning path with this name exists already."))
        return name


class PathCopyView(WagtailAdminTemplateMixin, FormView):
    form_class = PathCopyForm
    template_name = "paths/copy.html"
    header_icon = "copy"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("paths.add_learningpath"):
            raise PermissionDenied
        self.path = get_object_or_404(LearningPath, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("Copy “%(name)s”") % {"name": self.path.name}

    def get_initial(self) -> dict[str, Any]:
        return {"name": _("%(name)s (copy)") % {"name": self.path.name}}

    def form_valid(self, form: PathCopyForm) -> HttpResponse:
        copy = path_copy(path=self.path, name=form.cleaned_data["name"])
        messages.success(
            self.request,
            _("Copied. The copy is inactive and has no assignment rules until you add them."),
        )
        return redirect("wagtailsnippets_paths_learningpath:edit", copy.pk)
