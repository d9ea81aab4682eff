"""API keys and webhook subscriptions in the Wagtail admin (registered in wagtail_hooks).

Invariants:
* every write goes through api.services, as the signed-in user (model permissions
  ``api.add_apikey`` …, which only administrators hold by default);
* a new key is shown once, on the page that answers its creation, and never again;
* neither keys nor subscriptions can be copied (a copy would share the key's digest or
  the subscription's secret).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from api import services
from api.models import ApiKey, DeliveryStatus, Scope, Subscription
from content.actors import Actor
from content.models import Action, Branch, Channel


def _branch_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {name}") for code, name in Branch.objects.values_list("code", "name")]


class BranchesField(forms.MultipleChoiceField):
    """Branch codes to choose from (the choices are read when the form is made)."""

    def __init__(self) -> None:
        super().__init__(
            label=gettext_lazy("Branches"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=gettext_lazy("None: every branch. A branch covers its sub-branches."),
        )


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "message_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    branches = BranchesField()
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None: every channel."),
    )
    revoked = forms.BooleanField(
        label=gettext_lazy("Revoked"),
        required=False,
        help_text=gettext_lazy(
            "A revoked key is refused everywhere within seconds of saving (every web "
            "process reads keys again at most every 5 s)."
        ),
    )

    class Meta:
        model = ApiKey
        fields = ("name", "internal", "rate_per_minute")

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branches"].choices = _branch_choices()
        if self.instance.pk is None:
            del self.fields["revoked"]
        else:
            self.initial.update(
                scopes=self.instance.scopes,
                branches=self.instance.branches,
                channels=self.instance.channels,
                revoked=self.instance.revoked_at is not None,
            )

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "scopes": data["scopes"],
            "branches": data["branches"],
            "channels": data["channels"],
            "internal": data["internal"],
            "rate_per_minute": data["rate_per_minute"],
        }


class ApiKeyCreateView(generic.CreateView):
    def form_valid(self, form: ApiKeyForm) -> HttpResponse:
        try:
            issued = services.apikey_create(actor=Actor.editor(self.request.user), **form.options())
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        return TemplateResponse(
            self.request,
            "api/admin/key_created.html",
            {"key": issued.key, "secret": issued.secret, "index_url": self.get_success_url()},
        )


class ApiKeyEditView(generic.EditView):
    def form_valid(self, form: ApiKeyForm) -> HttpResponse:
        try:
            services.apikey_update(
                self.object,
                actor=Actor.editor(self.request.user),
                revoked=form.cleaned_data["revoked"],
                **form.options(),
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("API key “%(name)s” saved.") % {"name": self.object})
        return redirect(self.get_success_url())


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = gettext_lazy("API keys")
    list_display = ["name", "scopes", "branches", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["internal"]
    search_fields = ["name"]
    add_view_class = ApiKeyCreateView
    edit_view_class = ApiKeyEditView
    copy_view_enabled = False

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return ApiKeyForm


class SubscriptionForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label=gettext_lazy("Actions"),
        required=False,
        choices=Action.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None: every action."),
    )
    branches = BranchesField()

    class Meta:
        model = Subscription
        fields = ("name", "url")

    url = forms.URLField(label=gettext_lazy("URL"), assume_scheme="https", max_length=500)

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branches"].choices = _branch_choices()
        if self.instance.pk is not None:
            self.initial.update(actions=self.instance.actions, branches=self.instance.branches)

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {key: data[key] for key in ("name", "url", "actions", "branches")}


class SubscriptionCreateView(generic.CreateView):
    def form_valid(self, form: SubscriptionForm) -> HttpResponse:
        try:
            subscription = services.subscription_add(
                actor=Actor.editor(self.request.user), **form.options()
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Subscribed “%(name)s”.") % {"name": subscription})
        return redirect("kms_webhooks:edit", subscription.pk)


class SubscriptionEditView(generic.EditView):
    template_name = "api/admin/subscription_edit.html"

    def form_valid(self, form: SubscriptionForm) -> HttpResponse:
        try:
            services.subscription_update(
                self.object, actor=Actor.editor(self.request.user), **form.options()
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(name)s” saved.") % {"name": self.object})
        return redirect("kms_webhooks:edit", self.object.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deliveries = self.object.deliveries.select_related("event")
        context.update(
            subscription=self.object,
            pending=deliveries.filter(status=DeliveryStatus.PENDING).count(),
            dead=deliveries.filter(status=DeliveryStatus.DEAD).order_by("event_id")[:50],
            dead_count=deliveries.filter(status=DeliveryStatus.DEAD).count(),
            recent=deliveries.exclude(status=DeliveryStatus.DEAD).order_by("-event_id")[:10],
        )
        return context


class SubscriptionViewSet(ModelViewSet):
    model = Subscription
    icon = "link-external"
    menu_label = gettext_lazy("Webhooks")
    url_namespace = "kms_webhooks"
    url_prefix = "kms/webhooks"
    list_display = ["name", "url", "status", "failures", "created_at"]
    list_filter = ["status"]
    add_view_class = SubscriptionCreateView
    edit_view_class = SubscriptionEditView
    copy_view_enabled = False

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return SubscriptionForm


class ApiViewSetGroup(ViewSetGroup):
    items = (ApiKeyViewSet, SubscriptionViewSet)
    menu_label = gettext_lazy("API")
    menu_icon = "code"
    menu_order = 140


SUBSCRIPTION_ACTIONS = {
    "pause": services.subscription_pause,
    "resume": services.subscription_resume,
    "resend": services.subscription_resend,
}


@require_POST
def subscription_action(request: HttpRequest, subscription_id: int, action: str) -> HttpResponse:
    """Pause, resume (re-sending the dead letters) or re-send the dead letters."""
    subscription = get_object_or_404(Subscription, pk=subscription_id)
    act = SUBSCRIPTION_ACTIONS.get(action)
    if act is None:
        return HttpResponse(status=404)
    try:
        act(actor=Actor.editor(request.user), name=subscription.name)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s”: done.") % {"name": subscription})
    return redirect("kms_webhooks:edit", subscription.pk)
