"""The table of the "ratelimit" database cache (login and code failure counters).

Runs ``createcachetable`` again: it creates the tables of every DatabaseCache in
settings.CACHES that do not exist yet, so a database migrated before this cache
existed gets its table from ``migrate`` alone.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [("front", "0003_psgupload_worker")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False)]
