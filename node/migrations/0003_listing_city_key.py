# Written by hand: `ruta makemigrations` also emits a spurious drop and re-add of every `id`
# column (tortoise 1.1's autodetector compares `id_field()` wrongly); only this field and index are new.
# The column is filled for existing listings by the versioned re-index of search_schema; the
# index lets the search form list the cities of published listings without reading them all.
from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("ruta", "0002_sign_up_reason_and_order_price")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Listing",
            name="city_key",
            field=fields.CharField(default="", db_default="", max_length=100),
        ),
        ops.AddIndex(model_name="Listing", index=Index(fields=["state", "city"])),
    ]
