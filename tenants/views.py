"""Views of tenants: check access, call a selector or service, render.

Long because tenants serves many small pages (start page, municipalities with onboarding, CSV
import and offboarding, invitations, legal pages, people); every view is thin, and the access rules
of people live in tenants.services, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from izd import confirm
from izd.errors import REFUSALS, as_refusal
from izd.listing import Filter, ListSpec, Search, choices_of, listing, render_list
from izd.models import LegalPage
from izd.selectors import legal_page_content, legal_pages_to_complete
from izd.services import legal_page_update
from tenants import archive, selectors, services
from tenants.access import get_access, kreis_role_required, municipality_role_required
from tenants.forms import (
    ImportForm,
    InvitationAcceptForm,
    InvitationForm,
    LegalPageForm,
    MunicipalityForm,
    OffboardForm,
)
from tenants.http import PortalRequest
from tenants.models import Invitation, KreisRole, Membership, Municipality, User
from tenants.start_panels import StartContext, panels_for

COORDINATOR = KreisRole.Role.COORDINATOR


@login_required
def start(request: PortalRequest) -> HttpResponse:
    tenant = request.tenant
    access = get_access(request)
    if not tenant.is_kreis:
        context = StartContext(user_id=request.user.pk, access=access, municipality=tenant)
        return render(
            request,
            "tenants/municipality_start.html",
            {
                "municipality": tenant,
                "members": selectors.members_of(tenant),
                "panels": panels_for(context),
            },
        )
    memberships = list(selectors.memberships_of(request.user))
    if not access.is_kreis_staff and len(memberships) == 1:
        return redirect(selectors.portal_url(memberships[0].municipality, request=request))
    urls = selectors.portal_urls([m.municipality for m in memberships], request=request)
    return render(
        request,
        "tenants/kreis_start.html",
        {
            "memberships": [(m, urls[m.municipality_id]) for m in memberships],
            "municipality_count": selectors.municipality_list().count(),
            "legal_reminders": (
                legal_pages_to_complete() if get_access(request).is_coordinator else []
            ),
            "panels": panels_for(
                StartContext(user_id=request.user.pk, access=access, municipality=None)
            ),
        },
    )


MUNICIPALITY_LIST = ListSpec(
    key="kommunen",
    label="Kommunen",
    noun="Kommune,Kommunen",
    search=Search(
        label=gettext_lazy("Name oder AGS"), fields=("name", "slug"), prefix_fields=("ags",)
    ),
    filters=(
        Filter(
            "groesse",
            gettext_lazy("Einwohnerzahl"),
            [(key, label) for key, (label, _low, _high) in selectors.SIZE_CLASSES.items()],
            apply=selectors.municipalities_of_size,
        ),
        Filter(
            "beauftragte",
            gettext_lazy("Digitalisierungsbeauftragte"),
            [
                ("mit", gettext_lazy("mit aktiver Person")),
                ("ohne", gettext_lazy("ohne aktive Person")),
            ],
            apply=selectors.municipalities_by_officer,
        ),
    ),
    ordering=("name", "ags"),
)


@kreis_role_required()
def municipality_list(request: PortalRequest) -> HttpResponse:
    found = listing(request, selectors.municipality_list(), MUNICIPALITY_LIST)
    urls = selectors.portal_urls(found.rows, request=request)
    municipalities = [(m, urls[m.pk]) for m in found.rows]
    return render_list(
        request,
        "tenants/municipality_list.html",
        {"listing": found, "municipalities": municipalities},
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def municipality_create(request: PortalRequest) -> HttpResponse:
    form = MunicipalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        municipality = services.municipality_create(data=form.to_data())
        messages.success(request, _("%(name)s wurde angelegt.") % {"name": municipality.name})
        return redirect("municipality_detail", slug=municipality.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/municipality_form.html", {"form": form}, status=status)


@kreis_role_required()
@require_http_methods(["GET", "POST"])
def municipality_detail(request: PortalRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.members(), slug=slug)
    may_edit = get_access(request).is_coordinator
    form = MunicipalityForm(
        request.POST if request.method == "POST" and may_edit else None, instance=municipality
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            services.municipality_update(municipality=municipality, data=form.to_data())
            messages.success(request, _("Die Angaben wurden gespeichert."))
            return redirect("municipality_detail", slug=slug)
    context = {
        "municipality": municipality,
        "form": form,
        "may_edit": may_edit,
        "portal_url": selectors.portal_url(municipality, request=request),
        "members": selectors.members_of(municipality),
        "invitations": selectors.open_invitations(municipality),
        "invitation_form": InvitationForm(),
    }
    return render(
        request,
        "tenants/municipality_detail.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["POST"])
def invitation_create(request: PortalRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.members(), slug=slug)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte eine gültige E-Mail-Adresse und Rolle angeben."))
        return redirect("municipality_detail", slug=slug)
    services.invitation_create(
        email=form.cleaned_data["email"],
        municipality=municipality,
        role=form.cleaned_data["role"],
        invited_by=request.user,
    )
    messages.success(
        request,
        _("Die Einladung an %(email)s wurde verschickt.") % {"email": form.cleaned_data["email"]},
    )
    return redirect("municipality_detail", slug=slug)


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def municipality_import(request: PortalRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            report = services.municipality_import(raw=form.cleaned_data["file"].read())
            if report.ok:
                messages.success(
                    request,
                    _("Import abgeschlossen: %(created)d angelegt, %(updated)d aktualisiert.")
                    % {"created": len(report.created), "updated": len(report.updated)},
                )
                return redirect("municipality_list")
        # Rows that were written while others failed stay; the page names the ones that failed.
        status = 409 if report is not None and report.partly else 400
    return render(
        request, "tenants/municipality_import.html", {"form": form, "report": report}, status=status
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """One link for everybody: a new person sets up an account, an existing one signs in and
    accepts with one click, and the wrong account is told so."""
    invitation = Invitation.objects.select_related("municipality").filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        raise services.InvitationError(str(services.INVITATION_UNUSABLE))
    if request.user.is_authenticated:
        return _invitation_accept_signed_in(request, invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return render(
            request,
            "tenants/invitation_sign_in.html",
            {"invitation": invitation, "next": request.path},
            status=400 if request.method == "POST" else 200,
        )
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.invitation_accept(
            token=token,
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Willkommen im IZD-Portal."))
        return redirect(selectors.portal_url(invitation.municipality, request=request))
    return render(
        request,
        "tenants/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if request.method == "POST" else 200,
    )


def _invitation_accept_signed_in(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if User.objects.normalize_email(user.email) != invitation.email.lower():
        return render(
            request,
            "tenants/invitation_wrong_account.html",
            {"invitation": invitation, "next": request.path},
            status=403,
        )
    if request.method == "POST":
        services.invitation_accept_signed_in(token=invitation.token, user=user)
        messages.success(
            request,
            _("Sie gehören jetzt zu %(name)s.") % {"name": invitation.municipality.name},
        )
        return redirect(selectors.portal_url(invitation.municipality, request=request))
    return render(request, "tenants/invitation_accept_signed_in.html", {"invitation": invitation})


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def legal_page_edit(request: PortalRequest, kind: str) -> HttpResponse:
    if kind not in LegalPage.Kind.values:
        raise Http404
    content = legal_page_content(kind)
    form = LegalPageForm(
        request.POST or None,
        initial={
            "title": content.title,
            "body": "\n\n".join(content.paragraphs),
            "feedback_email": content.feedback_email,
        },
        require_feedback=kind == LegalPage.Kind.ACCESSIBILITY,
    )
    if request.method == "POST" and form.is_valid():
        legal_page_update(kind=kind, user=request.user, **form.cleaned_data)
        messages.success(request, _("Die Seite wurde gespeichert."))
        return redirect(f"/{kind}/")
    return render(
        request,
        "tenants/legal_page_form.html",
        {"form": form, "kind": kind, "title": content.title},
        status=400 if request.method == "POST" else 200,
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def municipality_offboard(request: PortalRequest, slug: str) -> HttpResponse:
    """The municipality leaves the portal, after the coordinator typed its name."""
    municipality = get_object_or_404(Municipality.objects.members(), slug=slug)
    form = OffboardForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            path = archive.municipality_offboard(municipality=municipality)
        except archive.ArchiveError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(name)s ist ausgetreten. Das Archiv %(file)s wurde geschrieben und bleibt "
                    "hier abrufbar; das Schema der Kommune wurde gelöscht."
                )
                % {"name": municipality.name, "file": path.name},
            )
            return redirect("municipality_archives")
    return render(
        request,
        "tenants/municipality_offboard.html",
        {"municipality": municipality, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@kreis_role_required(COORDINATOR)
def municipality_archives(request: PortalRequest) -> HttpResponse:
    return render(
        request,
        "tenants/municipality_archives.html",
        {
            "archives": archive.archive_list(),
            "offboarded": Municipality.with_offboarded.filter(offboarded_at__isnull=False).order_by(
                "name"
            ),
        },
    )


@kreis_role_required(COORDINATOR)
def municipality_archive_download(request: PortalRequest, filename: str) -> FileResponse:
    path = archive.archive_path(filename)
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/gzip"
    )


# People: the coordinator's page on the Kreis domain lists everybody; a digital officer's page
# on the municipality's subdomain lists the colleagues there. The role rules are the services'.

PEOPLE_LIST = ListSpec(
    key="personen",
    label="Personen",
    noun="Person,Personen",
    search=Search(label=gettext_lazy("Name, E-Mail oder Kommune"), apply=selectors.people_search),
    filters=(
        Filter(
            "rolle",
            gettext_lazy("Rolle"),
            [*Membership.Role.choices, *KreisRole.Role.choices],
            apply=selectors.people_with_role,
        ),
        Filter(
            "kommune",
            gettext_lazy("Kommune"),
            lambda: choices_of(selectors.municipality_list(), "slug", "name"),
            apply=selectors.people_of_municipality,
        ),
        Filter(
            "konto",
            gettext_lazy("Konto"),
            [("aktiv", gettext_lazy("aktiv")), ("deaktiviert", gettext_lazy("deaktiviert"))],
            apply=lambda rows, value: rows.filter(is_active=value == "aktiv"),
        ),
    ),
    ordering=("last_name", "first_name", "email"),
    partial="personen",
)
INVITATION_LIST = ListSpec(
    key="einladungen",
    label="Einladungen",
    noun="Einladung,Einladungen",
    search=Search(label=gettext_lazy("E-Mail oder Kommune"), apply=selectors.invitations_search),
    ordering=("-expires_at", "email"),
    page_param="einladungen",
    search_param="einladung",
    partial="einladungen",
)


@municipality_role_required(Membership.Role.DIGITAL_OFFICER)
def people(request: PortalRequest) -> HttpResponse:
    tenant = request.tenant
    municipality = None if tenant.is_kreis else tenant
    if municipality is None:
        people_list = listing(request, selectors.people(), PEOPLE_LIST)
        members = None
    else:
        people_list = None
        members = selectors.members_of(municipality)
    invitations = listing(
        request, selectors.invitations_open(municipality=municipality), INVITATION_LIST
    )
    role_choices = [
        (value, label)
        for value, label in Membership.Role.choices
        if municipality is None
        or services.people_may_manage(actor=request.user, municipality=municipality, role=value)
    ]
    return render_list(
        request,
        "tenants/people.html",
        {
            "municipality": municipality,
            "people_list": people_list,
            "members": members,
            "invitations": invitations,
            "role_choices": role_choices,
            "without_officer": (
                list(selectors.municipalities_without_officer()) if municipality is None else []
            ),
            "invitation_form": InvitationForm(role_choices=role_choices),
            "back": request.get_full_path(),
            "now": timezone.now(),
        },
        lists=[found for found in (people_list, invitations) if found is not None],
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("zurueck", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("people")
    return redirect(target)


def _scoped(request: PortalRequest, model: type[Any], pk: int) -> Any:
    """On a municipality's subdomain, only that municipality's rows exist."""
    rows = model.objects.select_related("municipality")
    if not request.tenant.is_kreis:
        rows = rows.filter(municipality=request.tenant)
    return get_object_or_404(rows, pk=pk)


def _people_change(request: HttpRequest, change: Callable[[], object], done: str) -> HttpResponse:
    try:
        change()
    except REFUSALS as error:
        messages.error(request, as_refusal(error).message)
    else:
        messages.success(request, done)
    return _back(request)


@municipality_role_required(Membership.Role.DIGITAL_OFFICER)
@require_http_methods(["POST"])
def people_invite(request: PortalRequest) -> HttpResponse:
    tenant = request.tenant
    municipality = tenant
    if tenant.is_kreis:
        municipality = get_object_or_404(
            Municipality.objects.members(), slug=request.POST.get("kommune", "")
        )
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte eine gültige E-Mail-Adresse und Rolle angeben."))
        return _back(request)
    email = form.cleaned_data["email"]
    return _people_change(
        request,
        lambda: services.invitation_create(
            email=email,
            municipality=municipality,
            role=form.cleaned_data["role"],
            invited_by=request.user,
        ),
        _("Die Einladung an %(email)s wurde verschickt.") % {"email": email},
    )


@municipality_role_required(Membership.Role.DIGITAL_OFFICER)
@require_http_methods(["POST"])
def membership_role(request: PortalRequest, pk: int) -> HttpResponse:
    membership = _scoped(request, Membership, pk)
    return _people_change(
        request,
        lambda: services.membership_role_change(
            membership=membership, role=request.POST.get("role", ""), actor=request.user
        ),
        _("Die Rolle wurde geändert."),
    )


@municipality_role_required(Membership.Role.DIGITAL_OFFICER)
@require_http_methods(["POST"])
def membership_remove(request: PortalRequest, pk: int) -> HttpResponse:
    membership = _scoped(request, Membership, pk)
    return _people_change(
        request,
        lambda: services.membership_remove(membership=membership, actor=request.user),
        _("%(person)s hat die Rolle nicht mehr.") % {"person": membership.user},
    )


@municipality_role_required(Membership.Role.DIGITAL_OFFICER)
@require_http_methods(["POST"])
def invitation_resend(request: PortalRequest, pk: int) -> HttpResponse:
    invitation = _scoped(request, Invitation, pk)
    return _people_change(
        request,
        lambda: services.invitation_resend(invitation=invitation, actor=request.user),
        _("Die Einladung an %(email)s wurde neu verschickt.") % {"email": invitation.email},
    )


@municipality_role_required(Membership.Role.DIGITAL_OFFICER)
@require_http_methods(["POST"])
def invitation_revoke(request: PortalRequest, pk: int) -> HttpResponse:
    invitation = _scoped(request, Invitation, pk)
    return _people_change(
        request,
        lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
        _("Die Einladung an %(email)s wurde zurückgezogen.") % {"email": invitation.email},
    )


@kreis_role_required(COORDINATOR)
@require_http_methods(["POST"])
def user_deactivate(request: PortalRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    if not confirm.is_confirmed(request):
        return confirm.ask(
            request,
            confirm.Confirmation(
                title=_("Konto deaktivieren"),
                text=_(
                    "%(person)s (%(email)s) kann sich danach nicht mehr anmelden und wird "
                    "überall abgemeldet."
                )
                % {"person": person, "email": person.email},
                button=_("Konto deaktivieren"),
                action=request.path,
                cancel=reverse("people"),
            ),
        )
    return _people_change(
        request,
        lambda: services.user_deactivate(user=person, actor=request.user),
        _("Das Konto von %(person)s ist deaktiviert.") % {"person": person},
    )
