"""Rates, leave and skills carry a version; skills belong to the org unit whose PMO keeps them."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def skills_to_root(apps, schema_editor):
    """Existing skills join the catalogue of the topmost org unit."""
    Skill = apps.get_model("resources", "Skill")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    if Skill.objects.exists():
        root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        Skill.objects.update(org_unit=root)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_alter_membership_role"),
        ("resources", "0001_initial"),
    ]

    operations = [
        *(
            op
            for model in ("costrate", "resourceleave")
            for op in (
                migrations.AddField(
                    model_name=model,
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
                    preserve_default=False,
                ),
                migrations.AddField(
                    model_name=model, name="updated_at", field=models.DateTimeField(auto_now=True)
                ),
                migrations.AddField(
                    model_name=model,
                    name="version",
                    field=models.PositiveIntegerField(default=1, editable=False),
                ),
            )
        ),
        migrations.AddField(
            model_name="skill",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="skill",
            name="org_unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="skills",
                to="orgs.orgunit",
                help_text="The unit whose PMO keeps this skill; its subtree may use it.",
            ),
        ),
        migrations.RunPython(skills_to_root, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="skill",
            name="org_unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="skills",
                to="orgs.orgunit",
                help_text="The unit whose PMO keeps this skill; its subtree may use it.",
            ),
        ),
    ]
