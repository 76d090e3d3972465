"""Valid Authorization headers are remembered per set of credentials (issue 15: the full check
ran on every call); wrong ones never are, and new credentials start with nothing remembered."""

import base64

from simnode.http.auth import MAX_VERIFIED, Credentials


def header(user_pass: str) -> str:
    return "Basic " + base64.b64encode(user_pass.encode()).decode()


def test_a_valid_header_is_remembered_and_a_wrong_one_is_not():
    credentials = Credentials(("alice:secret",))
    assert credentials.authorized(header("alice:secret")) == "alice"
    assert credentials.authorized(header("alice:wrong")) is None
    assert credentials._verified == {header("alice:secret"): "alice"}
    assert credentials.authorized(header("alice:secret")) == "alice"  # from memory


def test_new_credentials_do_not_accept_the_old_password():
    old = Credentials(("alice:secret",))
    assert old.authorized(header("alice:secret")) == "alice"
    new = Credentials(("alice:changed",))  # LocalNode.configure makes new ones
    assert new.authorized(header("alice:secret")) is None
    assert new.authorized(header("alice:changed")) == "alice"


def test_memory_is_bounded():
    credentials = Credentials(tuple(f"user{i}:pw" for i in range(MAX_VERIFIED + 10)))
    for i in range(MAX_VERIFIED + 10):
        assert credentials.authorized(header(f"user{i}:pw")) == f"user{i}"
    assert len(credentials._verified) == MAX_VERIFIED
    assert credentials.authorized(header(f"user{MAX_VERIFIED + 5}:pw")) == f"user{MAX_VERIFIED + 5}"
