"""Settings refuse unsafe configuration instead of starting half-secure."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from nachtwacht.web.envparse import env_bool, env_list, insecure_key_reason, secret_key

GOOD = "x7G!pQ2z" * 8


@pytest.mark.parametrize("key", ["", "short-key", "django-insecure-" + "a1b2c3" * 10, "ab" * 40])
def test_insecure_key_refused_without_debug(key):
    with pytest.raises(ImproperlyConfigured, match="NACHTWACHT_SECRET_KEY is unsafe"):
        secret_key(debug=False, env={"NACHTWACHT_SECRET_KEY": key})


def test_good_key_accepted_and_debug_allows_dev_key():
    assert secret_key(debug=False, env={"NACHTWACHT_SECRET_KEY": GOOD}) == GOOD
    assert insecure_key_reason(GOOD) is None
    assert secret_key(debug=True, env={})  # development works without a key


def test_bad_bool_and_list_are_errors():
    with pytest.raises(ImproperlyConfigured, match="NACHTWACHT_DEBUG"):
        env_bool("NACHTWACHT_DEBUG", env={"NACHTWACHT_DEBUG": "maybe"})
    assert env_bool("X", env={"X": "Yes"}) is True
    with pytest.raises(ImproperlyConfigured, match="empty items"):
        env_list("H", [], env={"H": "a,,b"})


def test_settings_module_refuses_to_start_with_insecure_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NACHTWACHT_")}
    env.update(NACHTWACHT_DATA_DIR=str(tmp_path), NACHTWACHT_SECRET_KEY="django-insecure-abc",
               DJANGO_SETTINGS_MODULE="nachtwacht.web.settings")
    proc = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "NACHTWACHT_SECRET_KEY is unsafe" in proc.stderr


def test_production_settings_are_strict():
    from nachtwacht.web import settings as s

    assert s.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert s.LANGUAGE_CODE == "nl"
    assert not s.DEBUG and s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE
    if s.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in s.DATABASES["default"]["OPTIONS"]["init_command"]


def test_login_limit_per_address_is_configurable_and_cleanup_hooks_need_no_view(tmp_path):
    # A worker or management command never imports the viewer views: the envelope
    # cleanup must be connected by the app itself.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NACHTWACHT_")}
    env.update(NACHTWACHT_DATA_DIR=str(tmp_path), NACHTWACHT_DEBUG="1",
               NACHTWACHT_LOGIN_MAX_PER_ADDRESS="40",
               DJANGO_SETTINGS_MODULE="nachtwacht.web.settings")
    code = ("import sys, django; django.setup();"
            "from django.conf import settings; from django.db.models.signals import post_delete;"
            "from nachtwacht.web.front.models import PsgUpload;"
            "assert 'nachtwacht.web.views.viewer' not in sys.modules;"
            "from nachtwacht.web.viewer import forget;"
            "from nachtwacht.web.diary.models import Night;"
            "live = post_delete._live_receivers(PsgUpload)[0];"
            "nights = post_delete._live_receivers(Night)[0];"
            "print(settings.LOGIN_MAX_PER_ADDRESS, forget in live,"
            " any(r.__name__ == '_forget_after_commit' for r in nights))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["40", "True", "True"]
