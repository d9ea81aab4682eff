"""Every admin URL of the branch overrides refuses other branches' overrides.

The cross-branch probe is generated from the URL patterns the override viewset, its chooser
and the bulk actions for the model actually serve, so a view added later is probed too; a
pattern this module does not know fails the test until whoever added it says what it does
(CLASSIFIED below).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.views.bulk_action.registry import bulk_action_registry

from content.models import BranchOverride, BranchRole
from tests.content.test_override_admin import BODY, branch_user, denied, override_form
from tests.factories import make_article
from tests.urls import served_patterns

pytestmark = pytest.mark.django_db

KEY = "KB-600001"
SC_LIVE, SC_DRAFT, SC_NOTE = "四川专属材料甲", "四川专属材料乙", "四川内部备注"
GD_LIVE, GD_DRAFT, GD_NOTE = "广东专属材料甲", "广东专属材料乙", "广东内部备注"


@dataclass(frozen=True)
class Kind:
    """What a URL pattern does, and who uses it on their own branch's override.

    shape: "listing" (lists overrides), "new" (no override yet), "object" (names one
    override by its ``pk``) or "query_ids" (names overrides by ``?id=``).
    own_branch: the role that gets a 200 for a GET on its own override (None: not a page
    to open that way, e.g. POST-only).
    """

    shape: str
    own_branch: str | None = None


VIEWSET = "wagtailsnippets_content_branchoverride"
CHOOSER = "wagtailsnippetchoosers_content_branchoverride"
BULK = "bulk"
CLASSIFIED: dict[tuple[str, str], Kind] = {
    (VIEWSET, "list"): Kind("listing", "editor"),
    (VIEWSET, "list_results"): Kind("listing", "editor"),
    (VIEWSET, "add"): Kind("new", "editor"),
    (VIEWSET, "preview_on_add"): Kind("new"),
    (VIEWSET, "edit"): Kind("object", "editor"),
    (VIEWSET, "delete"): Kind("object", "reviewer"),  # the override is live: delete unpublishes
    (VIEWSET, "usage"): Kind("object", "editor"),
    (VIEWSET, "history"): Kind("object", "editor"),
    (VIEWSET, "history_results"): Kind("object", "editor"),
    (VIEWSET, "copy"): Kind("object", "editor"),
    (VIEWSET, "inspect"): Kind("object", "editor"),
    (VIEWSET, "preview_on_edit"): Kind("object"),
    (VIEWSET, "revisions_view"): Kind("object", "editor"),
    (VIEWSET, "revisions_revert"): Kind("object", "editor"),
    (VIEWSET, "revisions_compare"): Kind("object", "editor"),
    (VIEWSET, "revisions_unschedule"): Kind("object", "reviewer"),
    (VIEWSET, "unpublish"): Kind("object", "reviewer"),
    (VIEWSET, "lock"): Kind("object"),
    (VIEWSET, "unlock"): Kind("object"),
    (VIEWSET, "workflow_action"): Kind("object", "reviewer"),
    (VIEWSET, "collect_workflow_action_data"): Kind("object", "reviewer"),
    (VIEWSET, "confirm_workflow_cancellation"): Kind("object", "editor"),
    (VIEWSET, "workflow_history"): Kind("object", "editor"),
    (VIEWSET, "workflow_history_detail"): Kind("object", "editor"),
    (VIEWSET, "workflow_preview"): Kind("object", "reviewer"),
    (CHOOSER, "choose"): Kind("listing", "editor"),
    (CHOOSER, "choose_results"): Kind("listing", "editor"),
    (CHOOSER, "chosen"): Kind("object", "editor"),
    (CHOOSER, "chosen_multiple"): Kind("query_ids", "editor"),
    (CHOOSER, "create"): Kind("new"),
    (BULK, "delete"): Kind("query_ids", "reviewer"),
}
# Path arguments that name something of the override's own (a revision, a review); the
# probe also sends them with the prober's own override, to catch a view that trusts them.
OWNED_ARGUMENTS = {
    "revision_id",
    "revision_id_a",
    "revision_id_b",
    "task_state_id",
    "workflow_state_id",
}


@dataclass(frozen=True)
class Route:
    namespace: str
    name: str
    arguments: tuple[str, ...]

    @property
    def kind(self) -> Kind | None:
        return CLASSIFIED.get((self.namespace, self.name))

    def url(self, ids: dict[str, object], **mixed: object) -> str:
        if self.namespace == BULK:
            return reverse("wagtail_bulk_action", args=("content", "branchoverride", self.name))
        kwargs = {argument: mixed.get(argument, ids[argument]) for argument in self.arguments}
        return reverse(f"{self.namespace}:{self.name}", kwargs=kwargs)


def served_routes() -> list[Route]:
    """The override URLs the project serves, read from the URL configuration itself."""
    routes = [
        Route(namespace, pattern.name, tuple(pattern.pattern.regex.groupindex))
        for namespace, pattern in served_patterns()
        if namespace in (VIEWSET, CHOOSER)
    ]
    routes += [
        Route(BULK, action.action_type, ())
        for action in bulk_action_registry.get_bulk_actions_for_model("content", "branchoverride")
    ]
    return routes


def visible_text(response: object) -> str:
    """What the browser gets, with JSON (the chooser's modal answers) decoded."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def ids_of(override: BranchOverride) -> dict[str, object]:
    revisions = override.revisions.order_by("created_at", "id")
    workflow_state = override.current_workflow_state
    return {
        "pk": override.pk,
        "revision_id": revisions.last().pk,
        "revision_id_a": revisions.first().pk,
        "revision_id_b": revisions.last().pk,
        "task_state_id": workflow_state.current_task_state.pk,
        "workflow_state_id": workflow_state.pk,
        "task_id": workflow_state.current_task_state.task_id,
        "action_name": "approve",
    }


def localise(tree: dict, code: str, live: str, draft: str, note: str) -> BranchOverride:
    """A branch's override as its editors make it: created, approved, then a new draft
    in review — so it has a live version, revisions and a review in progress."""
    article = make_article(key=KEY, body=BODY)
    editor, reviewer = Client(), Client()
    branch_user(editor, f"{code.lower()}_author", tree[code])
    branch_user(reviewer, f"{code.lower()}_approver", tree[code], role="reviewer")
    data = override_form(article.pk, tree[code].pk, note=note, **{"sections-0-body": f"- {live}"})
    editor.post(reverse(f"{VIEWSET}:add"), {**data, "action-submit": "1"})
    override = BranchOverride.objects.get(branch=tree[code])
    approve = reverse(
        f"{VIEWSET}:workflow_action",
        args=(override.pk, "approve", override.current_workflow_task_state.pk),
    )
    reviewer.post(approve, {})
    section = override.sections.get()
    edited = {
        **data,
        "sections-INITIAL_FORMS": "1",
        "sections-0-id": str(section.pk),
        "sections-0-body": f"- {draft}",
        "action-submit": "1",
    }
    editor.post(reverse(f"{VIEWSET}:edit", args=(override.pk,)), edited)
    override.refresh_from_db()
    assert override.live and override.workflow_in_progress
    return override


@pytest.fixture
def sichuan(tree: dict) -> BranchOverride:
    return localise(tree, "SC", SC_LIVE, SC_DRAFT, SC_NOTE)


@pytest.fixture
def guangdong(tree: dict, sichuan: BranchOverride) -> BranchOverride:
    return localise(tree, "GD", GD_LIVE, GD_DRAFT, GD_NOTE)


def test_every_override_url_is_classified() -> None:
    """Whoever adds a view to the override admin says here what it does."""
    routes = served_routes()
    unknown = [f"{r.namespace}:{r.name}" for r in routes if r.kind is None]
    misfiled = [
        f"{r.namespace}:{r.name}"
        for r in routes
        if r.kind is not None and ("pk" in r.arguments) != (r.kind.shape == "object")
    ]

    assert not unknown, f"classify these override URLs in CLASSIFIED: {unknown}"
    assert not misfiled, f"these name an override but are not classified 'object': {misfiled}"
    assert {r.name for r in routes if r.namespace == VIEWSET} >= {"edit", "usage", "history"}
    assert {r.name for r in routes if r.namespace == CHOOSER} >= {"choose", "chosen"}
    assert any(r.namespace == BULK for r in routes)


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_another_branch_cannot_read_or_change_an_override_at_any_url(
    tree: dict, sichuan: BranchOverride, guangdong: BranchOverride, role: str
) -> None:
    prober = Client()
    branch_user(prober, f"gd_{role}", tree["GD"], role=role)
    foreign, own = ids_of(sichuan), ids_of(guangdong)
    secrets = (SC_LIVE, SC_DRAFT, SC_NOTE, str(sichuan))
    # Hostile POSTs carry every button Wagtail's views act on.
    payload = {
        "action-publish": "1",
        "workflow-action-name": "approve",
        "action-workflow-action": "1",
    }
    leaks = []

    def probe(route: Route, method: str, url: str) -> None:
        response = getattr(prober, method)(url, payload if method == "post" else None)
        text = visible_text(response)
        shown = [secret for secret in secrets if secret in text]
        # A POST to a read-only view may also be refused as a method not allowed.
        refused = (403, 404, 405) if method == "post" else (403, 404)
        if response.status_code not in refused or shown:
            leaks.append(f"{method.upper()} {url} ({route.name}): {response.status_code} {shown}")

    for route in served_routes():
        kind = route.kind
        assert kind is not None, f"unclassified override URL {route.namespace}:{route.name}"
        if kind.shape == "listing":
            for query in ("", f"?q={KEY}", "?q=SC"):
                response = prober.get(route.url(own) + query)
                shown = [secret for secret in secrets if secret in visible_text(response)]
                if response.status_code != 200 or shown:
                    leaks.append(f"GET {route.name}{query}: {response.status_code} {shown}")
        elif kind.shape == "query_ids":
            for method in ("get", "post"):
                probe(route, method, f"{route.url(own)}?id={sichuan.pk}")
        elif kind.shape == "object":
            urls = [route.url(foreign)]
            theirs = {a: foreign[a] for a in OWNED_ARGUMENTS.intersection(route.arguments)}
            if theirs:  # their revision or review, through the prober's own override
                urls.append(route.url(own, **theirs))
            for url in urls:
                for method in ("get", "post"):
                    probe(route, method, url)

    assert not leaks, "served another branch's override:\n" + "\n".join(leaks)
    after = BranchOverride.objects.get(pk=sichuan.pk)
    assert after.live and after.live_revision_id == sichuan.live_revision_id
    assert after.workflow_in_progress and not after.locked
    assert after.current_workflow_task_state.pk == foreign["task_state_id"]
    assert after.revisions.count() == sichuan.revisions.count()


def test_a_branch_uses_its_own_overrides_at_every_url(
    tree: dict, sichuan: BranchOverride, guangdong: BranchOverride
) -> None:
    """The same probe on the branch's own override: refusing everyone would pass the one above."""
    clients = {"editor": Client(), "reviewer": Client()}
    branch_user(clients["editor"], "gd_editor", tree["GD"])
    branch_user(clients["reviewer"], "gd_reviewer", tree["GD"], role="reviewer")
    own = ids_of(guangdong)
    failures = []

    for route in served_routes():
        kind = route.kind
        assert kind is not None, f"unclassified override URL {route.namespace}:{route.name}"
        if kind.own_branch is None:
            continue
        url = route.url(own)
        if kind.shape == "query_ids":
            url += f"?id={guangdong.pk}"
        response = clients[kind.own_branch].get(url)
        text = visible_text(response)
        if response.status_code != 200:
            failures.append(f"{route.name} as {kind.own_branch}: {response.status_code}")
        elif kind.shape == "listing" and str(guangdong) not in text:
            failures.append(f"{route.name} does not list {guangdong}")

    assert not failures, "\n".join(failures)


# --- Publishing and the other reviewer-only actions ask for the override's own branch ---

# A Guangdong editor who reviews Sichuan, and a plain Guangdong editor: neither reviews GD.
NOT_GD_REVIEWERS = [{"GD": "editor", "SC": "reviewer"}, {"GD": "editor"}]


def user_with(client: Client, tree: dict, roles: dict[str, str]) -> object:
    (code, role), *more = roles.items()
    user = branch_user(client, "prober", tree[code], role=role)
    for other, other_role in more:
        BranchRole.objects.create(user=user, branch=tree[other], role=other_role)
    return user


def draft_override(tree: dict) -> BranchOverride:
    """A Guangdong override its editor saved and has not submitted."""
    article = make_article(key=KEY, body=BODY)
    editor = Client()
    branch_user(editor, "gd_author", tree["GD"])
    editor.post(reverse(f"{VIEWSET}:add"), override_form(article.pk, tree["GD"].pk))
    return BranchOverride.objects.get(branch=tree["GD"])


def edit_form(override: BranchOverride, **extra: str) -> dict:
    section = override.sections.get()
    return {
        **override_form(override.article_id, override.branch_id),
        "sections-INITIAL_FORMS": "1",
        "sections-0-id": str(section.pk),
        **extra,
    }


def publish(client: Client, override: BranchOverride) -> object:
    return client.post(
        reverse(f"{VIEWSET}:edit", args=(override.pk,)),
        edit_form(override, **{"action-publish": "1"}),
    )


@pytest.mark.parametrize("roles", NOT_GD_REVIEWERS)
def test_only_the_branchs_reviewers_may_publish_its_override(tree: dict, roles: dict) -> None:
    override = draft_override(tree)
    prober = Client()
    user_with(prober, tree, roles)

    page = prober.get(reverse(f"{VIEWSET}:edit", args=(override.pk,))).content.decode()
    publish(prober, override)

    override.refresh_from_db()
    assert not override.live
    assert 'name="action-publish"' not in page


@pytest.mark.parametrize("roles", NOT_GD_REVIEWERS)
def test_a_new_override_is_published_only_by_its_branchs_reviewers(tree: dict, roles: dict) -> None:
    article = make_article(key=KEY, body=BODY)
    prober = Client()
    user_with(prober, tree, roles)

    response = prober.post(
        reverse(f"{VIEWSET}:add"),
        override_form(article.pk, tree["GD"].pk, **{"action-publish": "1"}),
    )

    assert not BranchOverride.objects.filter(live=True).exists()
    if "SC" in roles:  # reviewing somewhere, they were offered Publish: the form says why not
        assert response.status_code == 200
        errors = " ".join(response.context["form"].non_field_errors())
        assert "广东分公司 (GD)" in errors


def test_the_branchs_reviewer_is_offered_publish_and_publishes(tree: dict) -> None:
    override = draft_override(tree)
    reviewer = Client()
    branch_user(reviewer, "gd_reviewer", tree["GD"], role="reviewer")

    page = reviewer.get(reverse(f"{VIEWSET}:edit", args=(override.pk,))).content.decode()
    response = publish(reviewer, override)

    override.refresh_from_db()
    assert response.status_code == 302
    assert override.live
    assert 'name="action-publish"' in page


@pytest.mark.parametrize("roles", NOT_GD_REVIEWERS)
def test_only_the_branchs_reviewers_unpublish_unschedule_or_unlock(tree: dict, roles: dict) -> None:
    override = draft_override(tree)
    reviewer = Client()
    gd_reviewer = branch_user(reviewer, "gd_reviewer", tree["GD"], role="reviewer")
    publish(reviewer, override)
    override.refresh_from_db()
    scheduled = override.latest_revision
    scheduled.approved_go_live_at = timezone.now() + timedelta(days=7)
    scheduled.save()
    BranchOverride.objects.filter(pk=override.pk).update(locked=True, locked_by=gd_reviewer)
    prober = Client()
    user_with(prober, tree, roles)

    unpublish = prober.post(reverse(f"{VIEWSET}:unpublish", args=(override.pk,)))
    unschedule = prober.post(
        reverse(f"{VIEWSET}:revisions_unschedule", args=(override.pk, scheduled.pk))
    )
    unlock = prober.post(reverse(f"{VIEWSET}:unlock", args=(override.pk,)))

    override.refresh_from_db()
    scheduled.refresh_from_db()
    assert override.live
    assert scheduled.approved_go_live_at is not None
    assert override.locked
    assert denied(unpublish) and denied(unschedule) and denied(unlock)
