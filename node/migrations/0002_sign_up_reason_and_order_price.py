# Written by hand: `ruta makemigrations` also emitted a spurious drop and re-add of every `id`
# column (tortoise 1.1's autodetector compares `id_field()` wrongly); only these fields are new.
from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("ruta", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Account",
            name="sign_up_reason",
            field=fields.TextField(default="", db_default=""),
        ),
        ops.AddField(
            model_name="Order",
            name="unit_price_cents",
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name="Order",
            name="currency",
            field=fields.CharField(default="EUR", db_default="EUR", max_length=3),
        ),
    ]
