"""The cost categories a PMO starts with (it can rename, deactivate or add to them)."""

from django.db import migrations

DEFAULTS = [
    ("LABOR", "Labor", "opex", True),
    ("MATERIALS", "Materials", "capex", False),
    ("SERVICES", "Services", "opex", False),
    ("TRAVEL", "Travel", "opex", False),
    ("EQUIPMENT", "Equipment", "capex", False),
    ("SOFTWARE", "Software and licences", "opex", False),
]


def add_defaults(apps, schema_editor):
    CostCategory = apps.get_model("finance", "CostCategory")
    for code, name, kind, is_labor in DEFAULTS:
        CostCategory.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "is_labor": is_labor})


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
