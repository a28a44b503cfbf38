"""Pages of the regional execution cores (thin: forms in, services called)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import log_list, log_read
from accounts.decorators import role_required
from accounts.errors import DomainError
from accounts.scope import scope_of
from regions import engagement, importing, services, verification, workspace
from regions.forms import CandidateForm, CandidateStatusForm, ImportForm, MessageForm, VettingForm
from regions.models import Candidate, ImportJob, MessageDelivery, RegionMessage
from registry.models import FactChange, Region, Reservist

coordinator_required = role_required("is_regional", "is_national")


def regions_for(user):
    scope = scope_of(user)
    if scope.is_national:
        return Region.objects.all()
    return Region.objects.filter(pk__in=scope.region_ids)


def chosen_region(request, regions, *, required=False):
    """The region asked for (``?region=VR09``), or the only one the user has; 404 outside."""
    code = (request.GET.get("region") or request.POST.get("region") or "").strip().upper()
    if code:
        region = regions.filter(code=code).first()
        if region is None:
            raise Http404
        return region
    if regions.count() == 1:
        return regions.first()
    if required:
        raise Http404
    return None


def reservist_page(reservist) -> str:
    try:
        return reverse("registry:reservist_detail", args=[reservist.pk])
    except NoReverseMatch:
        return reverse("regions:workspace")


def _form_error(form, exc: DomainError):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


# --- workspace ----------------------------------------------------------------------


@coordinator_required
def workspace_view(request):
    """A region's start page: recruitment funnel, work queue and pool against the floor."""
    regions = regions_for(request.user)
    region = chosen_region(request, regions)
    visible = Reservist.objects.visible_to(request.user)
    context = {"regions": regions, "region": region}
    if region is None:
        context["overview"] = workspace.region_overview(regions, visible)
        context["statuses"] = Reservist.Status.choices
        return render(request, "regions/region_workspace.html", context)
    reservists = visible.filter(home_region=region)
    candidates = Candidate.objects.visible_to(request.user).filter(region=region)
    today = timezone.localdate()
    queue = workspace.work_queue(reservists, today)
    context.update(
        funnel=workspace.funnel(reservists),
        candidate_funnel=workspace.candidate_funnel(candidates),
        queue=queue,
        pool=workspace.pool(reservists, today),
        retention=engagement.retention(reservists, today),
        intakes=candidates.filter(
            status=Candidate.Status.INTAKE_PLANNED, intake_planned_at__gte=timezone.now()
        ).order_by("intake_planned_at")[:10],
        today=today,
    )
    shown = {r.pk for r in queue["waiting"]} | {r.pk for r in queue["big"]}
    shown |= {row["reservist"].pk for row in queue["changes"]}
    shown |= {r.pk for r in queue["unconfirmed"]} | {t.reservist_id for t in queue["training"]}
    if shown:
        log_list(request, request.user, Reservist, sorted(shown), detail=f"workspace {region.code}")
    return render(request, "regions/region_workspace.html", context)


# --- recruitment --------------------------------------------------------------------


@coordinator_required
def candidate_list(request):
    regions = regions_for(request.user)
    region = chosen_region(request, regions)
    candidates = Candidate.objects.visible_to(request.user).select_related("region")
    if region is not None:
        candidates = candidates.filter(region=region)
    status = request.GET.get("status", "")
    if status in Candidate.Status.values:
        candidates = candidates.filter(status=status)
    page = Paginator(candidates, 50).get_page(request.GET.get("page"))
    if page.object_list:
        log_list(request, request.user, Candidate, [c.pk for c in page.object_list])
    return render(
        request,
        "regions/candidate_list.html",
        {
            "page": page,
            "regions": regions,
            "region": region,
            "status": status,
            "statuses": Candidate.Status.choices,
        },
    )


@coordinator_required
def candidate_new(request):
    regions = regions_for(request.user)
    region = chosen_region(request, regions)
    form = CandidateForm(request.POST or None, regions=regions, region=region)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "region"}
        target = form.cleaned_data.get("region") or region
        if target is None:
            raise Http404
        try:
            candidate = services.create_candidate(target, data, actor=request.user)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The candidate has been recorded."))
            return redirect("regions:candidate_detail", candidate.pk)
    return render(request, "regions/candidate_form.html", {"form": form, "region": region})


def _candidate_or_404(request, pk):
    return get_object_or_404(
        Candidate.objects.visible_to(request.user).select_related("region", "reservist"), pk=pk
    )


@coordinator_required
def candidate_detail(request, pk):
    candidate = _candidate_or_404(request, pk)
    log_read(request, request.user, candidate, detail="candidate")
    return render(
        request,
        "regions/candidate_detail.html",
        {
            "candidate": candidate,
            "status_form": CandidateStatusForm(initial={"status": candidate.status}),
            "changes": candidate.changes.select_related("actor"),
        },
    )


@coordinator_required
@require_POST
def candidate_status(request, pk):
    candidate = _candidate_or_404(request, pk)
    form = CandidateStatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_candidate_status(
                candidate,
                form.cleaned_data["status"],
                form.cleaned_data["reason"],
                intake_planned_at=form.cleaned_data["intake_planned_at"],
                actor=request.user,
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The status has been changed."))
            return redirect("regions:candidate_detail", candidate.pk)
    return render(
        request,
        "regions/candidate_detail.html",
        {
            "candidate": candidate,
            "status_form": form,
            "changes": candidate.changes.select_related("actor"),
        },
        status=400,
    )


@coordinator_required
@require_POST
def candidate_convert(request, pk):
    candidate = _candidate_or_404(request, pk)
    try:
        reservist = services.convert_candidate(candidate, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("regions:candidate_detail", candidate.pk)
    messages.success(request, _("%(name)s is now in the register.") % {"name": reservist})
    return redirect(reservist_page(reservist))


# --- bulk import --------------------------------------------------------------------


@coordinator_required
def import_new(request):
    regions = regions_for(request.user)
    region = chosen_region(request, regions)
    form = ImportForm(request.POST or None, request.FILES or None, regions=regions, region=region)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data.get("region") or region
        if target is None:
            raise Http404
        try:
            job = importing.start_import(
                target, form.cleaned_data["kind"], form.cleaned_data["file"], actor=request.user
            )
        except DomainError as exc:
            form.add_error("file" if exc.field in (None, "file") else exc.field, str(exc))
        else:
            return redirect("regions:import_detail", job.pk)
    jobs = ImportJob.objects.visible_to(request.user).select_related("region").defer("content")
    return render(
        request,
        "regions/import_form.html",
        {"form": form, "region": region, "jobs": jobs[:10]},
        status=400 if form.errors else 200,
    )


def _job_or_404(request, pk):
    return get_object_or_404(
        ImportJob.objects.visible_to(request.user).select_related("region").defer("content"),
        pk=pk,
    )


@coordinator_required
def import_detail(request, pk):
    job = _job_or_404(request, pk)
    return render(request, "regions/import_detail.html", {"job": job})


@coordinator_required
def import_progress(request, pk):
    """The progress bar, polled by htmx while the job runs; 286 stops the polling."""
    job = _job_or_404(request, pk)
    response = render(request, "regions/fragments/import_progress.html", {"job": job})
    if not job.is_running and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@coordinator_required
@require_POST
def import_confirm(request, pk):
    job = _job_or_404(request, pk)
    try:
        job = importing.confirm_import(job, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if job.status == ImportJob.Status.DONE:
            messages.success(request, _("The file has been imported."))
    return redirect("regions:import_detail", job.pk)


# --- vetting (posted from the reservist page of the register) -----------------------


def _reservist_or_404(request, pk):
    return get_object_or_404(
        Reservist.objects.visible_to(request.user).select_related("profession"), pk=pk
    )


@coordinator_required
@require_POST
def vetting_record(request, pk):
    reservist = _reservist_or_404(request, pk)
    form = VettingForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request,
                    f"{form.fields[field].label}: {error}" if field in form.fields else error,
                )
        return redirect(reservist_page(reservist) + "#vetting")
    try:
        row = services.record_vetting(
            reservist,
            form.cleaned_data["check"],
            form.cleaned_data["outcome"],
            form.cleaned_data["note"],
            actor=request.user,
            issued_on=form.cleaned_data["issued_on"],
            screening_profile=form.cleaned_data["screening_profile"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The check has been recorded."))
        if row.activated:
            messages.success(request, _("All required checks passed: the reservist is now active."))
        for reason in row.activation_refused:
            messages.warning(request, _("Not yet active: %(reason)s") % {"reason": reason})
    return redirect(reservist_page(reservist) + "#vetting")


@coordinator_required
@require_POST
def vetting_verify_big(request, pk):
    reservist = _reservist_or_404(request, pk)
    try:
        row = services.verify_big(reservist, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if row is None:
            messages.info(
                request,
                _("Check this BIG number by hand at zoeken.bigregister.nl and record the outcome."),
            )
        else:
            messages.success(request, _("BIG register: %(note)s") % {"note": row.note})
    return redirect(reservist_page(reservist) + "#vetting")


@coordinator_required
@require_POST
def fact_change_decide(request, pk, change_id, decision):
    """Approve or reject a pending change of a verified fact (the workspace's queue)."""
    reservist = _reservist_or_404(request, pk)
    change = get_object_or_404(FactChange.objects.filter(reservist=reservist), pk=change_id)
    if decision not in ("approve", "reject"):
        raise Http404
    try:
        if decision == "approve":
            verification.approve(change, actor=request.user)
            messages.success(request, _("The change has been approved."))
        else:
            verification.reject(change, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The change has been rejected."))
    except DomainError as exc:
        messages.error(request, str(exc))
    region = reservist.home_region.code if reservist.home_region else ""
    return redirect(
        reverse("regions:workspace") + (f"?region={region}" if region else "") + "#changes"
    )


# --- engagement ---------------------------------------------------------------------


@coordinator_required
def message_list(request):
    """Messages of a region to its reservists; a coordinator writes a new one here."""
    regions = regions_for(request.user)
    region = chosen_region(request, regions)
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if region is None:
            raise Http404
        if form.is_valid():
            try:
                message = engagement.send_region_message(
                    region,
                    form.cleaned_data["subject"],
                    form.cleaned_data["body"],
                    statuses=form.cleaned_data["statuses"],
                    actor=request.user,
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The message is on its way to %(n)s reservists.")
                    % {"n": message.recipient_count},
                )
                return redirect(reverse("regions:message_list") + f"?region={region.code}")
    sent = RegionMessage.objects.visible_to(request.user).select_related("region", "sent_by")
    if region is not None:
        sent = sent.filter(region=region)
    return render(
        request,
        "regions/message_list.html",
        {"form": form, "region": region, "regions": regions, "sent": sent[:50]},
        status=400 if form.errors else 200,
    )


@role_required("is_reservist")
def inbox(request):
    """The reservist's in-app copies of the region's messages."""
    deliveries = MessageDelivery.objects.for_reservist_user(request.user).select_related(
        "message__region"
    )
    return render(request, "regions/inbox.html", {"deliveries": deliveries[:100]})


@role_required("is_reservist")
def inbox_message(request, pk):
    delivery = get_object_or_404(
        MessageDelivery.objects.for_reservist_user(request.user).select_related("message__region"),
        pk=pk,
    )
    engagement.mark_read(delivery)
    return render(request, "regions/inbox_message.html", {"delivery": delivery})
