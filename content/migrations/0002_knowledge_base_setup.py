"""Install the knowledge base: its index page, editor groups and the "HQ review" workflow.

HQ editors write and submit; HQ reviewers approve (which publishes). Page permissions are
granted once, on the knowledge-base index page, so they apply to every article without a
permission row per page.
"""

from django.db import migrations

from content.migrations._permissions import ensure_permissions

HQ_EDITORS = "总部编辑"
HQ_REVIEWERS = "总部审核员"
WORKFLOW = "总部审核"
INDEX_TITLE = "知识库"

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page"]
REVIEWER_PAGE_PERMISSIONS = [*EDITOR_PAGE_PERMISSIONS, "publish_page", "unlock_page"]
TAXONOMY = ["category", "product"]


def _permission(apps, app_label, codename):
    Permission = apps.get_model("auth.Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def install(apps, schema_editor):
    ensure_permissions(apps)

    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    Group = apps.get_model("auth.Group")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    KnowledgeIndexPage = apps.get_model("content.KnowledgeIndexPage")

    # 1. the knowledge-base index page replaces Wagtail's welcome page as the site root
    root = Page.objects.get(depth=1)
    index_type, _ = ContentType.objects.get_or_create(app_label="content", model="knowledgeindexpage")
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    used = set(Page.objects.filter(depth=2).values_list("path", flat=True))
    path = next(f"{root.path}{n:04d}" for n in range(1, 10_000) if f"{root.path}{n:04d}" not in used)
    index = KnowledgeIndexPage.objects.create(
        title=INDEX_TITLE,
        draft_title=INDEX_TITLE,
        slug="kb",
        content_type=index_type,
        path=path,
        depth=2,
        numchild=0,
        url_path="/kb/",
        live=True,
        locale=Locale.objects.order_by("pk").first(),
    )
    welcome = Page.objects.filter(depth=2, content_type=page_type, numchild=0)
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page_id = index.pk
        site.site_name = "KMS 知识库"
        site.save()
    else:
        Site.objects.create(hostname="localhost", port=80, root_page_id=index.pk, is_default_site=True, site_name="KMS 知识库")
    welcome.delete()
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])

    # 2. groups: editors write and submit, reviewers approve and publish
    access_admin = _permission(apps, "wagtailadmin", "access_admin")
    root_collection = Collection.objects.get(depth=1)
    for name, page_permissions in ((HQ_EDITORS, EDITOR_PAGE_PERMISSIONS), (HQ_REVIEWERS, REVIEWER_PAGE_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        for model in TAXONOMY:
            for action in ("add", "change", "view"):
                group.permissions.add(_permission(apps, "content", f"{action}_{model}"))
        group.permissions.add(_permission(apps, "content", "view_branch"))
        for codename in page_permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=index.pk, permission=_permission(apps, "wagtailcore", codename)
            )
        for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            for action in ("add", "change", "choose"):
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=_permission(apps, app_label, f"{action}_{model}"),
                )

    # 3. the "HQ review" workflow on every article
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.create(name=f"{HQ_REVIEWERS}审批", content_type=task_type, active=True)
    task.groups.set([Group.objects.get(name=HQ_REVIEWERS)])
    workflow = Workflow.objects.create(name=WORKFLOW, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
