"""The table of the "shared" database cache (login rate limit, dashboard results).

``createcachetable`` creates a table for every DatabaseCache in settings.CACHES and
skips tables that exist, so ``migrate`` is the only step an operator needs. With a
cache that is not a database table (e.g. Redis) it does nothing.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [("front", "0001_initial")]

    # Reversing leaves the table: dropping it would only lose short-lived counters.
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
