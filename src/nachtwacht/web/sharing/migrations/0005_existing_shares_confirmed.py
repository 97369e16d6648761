"""Shares and clinicians from before binding (issue #16) keep working.

A share a clinician already claimed counts as confirmed by the sleeper (it was shown to
them on "Share with a clinician" and they could revoke it); a clinician who already
held such a share counts as verified, marked ``verified_by="migration"`` so an
administrator can find and check them (``nachtwacht manage verify_clinician --list``).
Unclaimed old shares stay unclaimed and have no one-time code: whoever claims one is
shown to the sleeper, who confirms or revokes before any data is shown.
"""

from django.db import migrations
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    share = apps.get_model("sharing", "ClinicianShare")
    user = apps.get_model("accounts", "User")
    claimed = share.objects.filter(clinician__isnull=False, confirmed_at__isnull=True)
    clinician_ids = set(claimed.values_list("clinician_id", flat=True))
    claimed.update(confirmed_at=Coalesce("claimed_at", "created"))
    # The moment of the migration: nothing better is known about when they were "verified".
    from django.utils import timezone

    user.objects.filter(pk__in=clinician_ids, role="clinician", verified_at__isnull=True).update(
        verified_at=timezone.now(), verified_by="migration")


class Migration(migrations.Migration):

    dependencies = [
        ("sharing", "0004_share_binding"),
        ("accounts", "0003_clinician_verification"),
    ]

    # Backwards: the new columns are dropped by 0004/0003's reversal; nothing to undo here.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
