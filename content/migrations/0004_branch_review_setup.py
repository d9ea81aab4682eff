"""Install branch localisation: the "分公司审核" workflow for overrides and the branch group.

Branch users get admin access through the "分公司用户" group; *which* branches they work on
comes from their BranchRole rows, not from per-object permission rows.
"""

from django.db import migrations

from content.migrations._permissions import ensure_permissions

BRANCH_USERS = "分公司用户"
WORKFLOW = "分公司审核"


def install(apps, schema_editor):
    ensure_permissions(apps)

    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore.WorkflowContentType")
    BranchReviewTask = apps.get_model("content.BranchReviewTask")

    group, _ = Group.objects.get_or_create(name=BRANCH_USERS)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="content",
            codename__in=["view_branch", "view_category", "view_product"],
        ),
    )

    task_type, _ = ContentType.objects.get_or_create(app_label="content", model="branchreviewtask")
    task = BranchReviewTask.objects.create(name="分公司审核员审批", content_type=task_type, active=True)
    workflow = Workflow.objects.create(name=WORKFLOW, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    override_type, _ = ContentType.objects.get_or_create(app_label="content", model="branchoverride")
    WorkflowContentType.objects.update_or_create(
        content_type=override_type, defaults={"workflow": workflow}
    )


class Migration(migrations.Migration):
    dependencies = [("content", "0003_overrides_snapshots_roles")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
