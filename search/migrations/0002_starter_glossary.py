"""A new installation's glossary starts with the synonyms of Chinese life insurance that
agents and customers use for one thing (理赔/索赔/赔付, 保全/保单变更, 退保/解除合同…).

Editors change or delete these groups in the admin like any other; the migration adds
them only to an empty glossary, so an installation that already keeps its own is left
as it is, and reversing it removes nothing an editor may have come to rely on.
"""

from django.db import migrations

STARTER_GROUPS = (
    ("理赔/索赔/赔付", "claims"),
    ("保全/保单变更", "policy servicing"),
    ("退保/解除合同/解约", "surrender"),
    ("寿险/人寿保险", "life insurance"),
    ("重疾险/重大疾病保险/重疾保险", "critical illness"),
    ("医疗险/医疗保险", "medical"),
    ("意外险/意外伤害保险", "accident"),
    ("车险/汽车保险/机动车辆保险", "motor"),
    ("保费/保险费", "premium"),
    ("保额/保险金额", "sum assured"),
    ("投保人/保单持有人", "policyholder"),
    ("被保险人/被保人", "insured"),
    ("犹豫期/冷静期", "cooling-off period"),
    ("免赔额/起付线", "deductible"),
    ("残疾/伤残", "disability"),
    ("身故/死亡", "death"),
    ("复效/恢复效力", "reinstatement"),
    ("万能险/万能型保险/万能保险", "universal life"),
    ("分红险/分红型保险/分红保险", "participating"),
    ("投连险/投资连结保险", "unit-linked"),
    ("长期护理保险/护理险/长护险", "long-term care"),
    ("定期寿险/定期人寿保险/定寿", "term life"),
    ("终身寿险/终身人寿保险/终身寿", "whole life"),
    ("健康告知/如实告知", "disclosure"),
    ("保单贷款/保单借款", "policy loan"),
    ("续期/续缴", "renewal premium"),
    ("年金/年金保险", "annuity"),
)


def add_starter_groups(apps, schema_editor):
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    if SynonymGroup.objects.exists():
        return
    SynonymGroup.objects.bulk_create(
        SynonymGroup(terms=terms, note=note) for terms, note in STARTER_GROUPS
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(add_starter_groups, migrations.RunPython.noop)]
