"""Review findings on login: the password limiter counts per account, however the name is typed."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("variant", [" slaper", "slaper ", "\tslaper", "ｓｌａｐｅｒ", "SLAPER"])
def test_login_block_holds_for_spellings_the_form_accepts_as_the_same_name(household, client, variant):
    # The login form strips spaces and NFKC-normalises the name before looking it up, so
    # each of these reaches the same account; a fresh counter per spelling would mean
    # unlimited password guesses from one address.
    for _ in range(5):
        assert client.post("/inloggen/", {"username": "slaper", "password": "fout"}).status_code == 200
    r = client.post("/inloggen/", {"username": variant, "password": "slaper-wachtwoord-1"})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_typed_with_spaces_count_towards_the_block(household, client):
    for i in range(5):
        client.post("/inloggen/", {"username": " " * i + "slaper", "password": "fout"})
    r = client.post("/inloggen/", {"username": "slaper", "password": "slaper-wachtwoord-1"})
    assert r.status_code == 429
