"""Migration 0005: shares and clinicians of the previous release keep working (#16).

A share already claimed counts as confirmed; its clinician counts as verified, marked
``verified_by="migration"``; an unclaimed old share stays unclaimed and unconfirmed.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("sharing", "0003_share_patient_label"), ("accounts", "0002_session_epoch")]
AFTER = [("sharing", "0005_existing_shares_confirmed"), ("accounts", "0003_clinician_verification")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_claimed_shares_confirmed_and_their_clinicians_verified(transactional_db):
    old = _migrate(BEFORE)
    try:
        user_model, share_model = old.get_model("accounts", "User"), old.get_model("sharing", "ClinicianShare")
        sleeper = user_model.objects.create(username="oudslaper", role="sleeper")
        gp = user_model.objects.create(username="oudearts", role="clinician")
        lone = user_model.objects.create(username="zonderdeel", role="clinician")
        later = timezone.now() + timedelta(days=9)
        claimed = share_model.objects.create(sleeper=sleeper, clinician=gp, token="a" * 43, scope=["nights"],
                                       expires_at=later, claimed_at=timezone.now() - timedelta(days=2))
        open_ = share_model.objects.create(sleeper=sleeper, token="b" * 43, scope=["nights"], expires_at=later)
    finally:
        new = _migrate(AFTER)
    user_model, share_model = new.get_model("accounts", "User"), new.get_model("sharing", "ClinicianShare")
    c = share_model.objects.get(pk=claimed.pk)
    assert c.confirmed_at == c.claimed_at
    o = share_model.objects.get(pk=open_.pk)
    assert o.confirmed_at is None and o.clinician_id is None and o.claim_code == ""
    g = user_model.objects.get(pk=gp.pk)
    assert g.verified_at is not None and g.verified_by == "migration"
    assert user_model.objects.get(pk=lone.pk).verified_at is None
