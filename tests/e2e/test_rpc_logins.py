"""Which logins ``simnode serve`` accepts, for every combination of -rpcuser, -rpcpassword,
-rpcauth and -rpccookiefile (issue 16, defect 3: "--rpcpassword X --rpcauth ..." without
--rpcuser made "None:X" a working login). The node's rule, InitRPCAuthentication
(src/httprpc.cpp @ PAI 3.0.0): with -rpcpassword the login is -rpcuser + ":" + -rpcpassword,
else the cookie; -rpcauth lines are accepted besides either."""

import itertools

import pytest

from simnode.cli import CLIError, build_parser
from simnode.http.auth import COOKIE_FILE, Credentials, rpcauth_line
from simnode.serve import rpc_logins
from tests.transport_helpers import basic

RPCAUTH = rpcauth_line("bob", "hunter2")
# Every login someone might try, including the ones that must never work.
CANDIDATES = ("u:p", ":p", "None:p", "u:", ":", "None:None", "bob:hunter2", "bob:p", "cookie")

# (rpcuser, rpcpassword, rpcauth) -> the candidates that work, or "refused".
EXPECTED = {
    (None, None, False): {"cookie"},
    (None, None, True): {"cookie", "bob:hunter2"},
    ("u", None, False): "refused",  # simnode's own refusal; the node would use the cookie
    ("u", None, True): {"cookie", "bob:hunter2"},  # -rpcuser alone is ignored
    (None, "p", False): "refused",  # the node's login would be ":p"
    (None, "p", True): {":p", "bob:hunter2"},
    ("u", "p", False): {"u:p"},
    ("u", "p", True): {"u:p", "bob:hunter2"},
}


@pytest.mark.parametrize(
    ("user", "password", "with_rpcauth", "own_cookie_path"),
    [(*combination, own_path) for combination, own_path in
     itertools.product(EXPECTED, (False, True))],
)  # fmt: skip
def test_every_combination_of_logins(tmp_path, user, password, with_rpcauth, own_cookie_path):
    argv = ["serve", "--datadir", str(tmp_path / "data")]
    argv += ["--rpcuser", user] if user else []
    argv += ["--rpcpassword", password] if password else []
    argv += ["--rpcauth", RPCAUTH] if with_rpcauth else []
    cookie_path = tmp_path / "own.cookie" if own_cookie_path else tmp_path / "data" / COOKIE_FILE
    argv += ["--rpccookiefile", str(cookie_path)] if own_cookie_path else []
    args = build_parser().parse_args(argv)
    expected = EXPECTED[(user, password, with_rpcauth)]
    if expected == "refused":
        with pytest.raises(CLIError, match="go together"):
            rpc_logins(args)
        assert not cookie_path.exists()
        return
    cookie, user_passwords = rpc_logins(args)
    credentials = Credentials(user_passwords, tuple(args.rpcauth))
    cookie_login = cookie.user_pass if cookie is not None else "__cookie__:" + "0" * 64
    accepted = {
        candidate
        for candidate in CANDIDATES
        if credentials.authorized(
            basic(cookie_login if candidate == "cookie" else candidate)["Authorization"]
        )
        is not None  # ":p" is the empty user, ""
    }
    assert accepted == expected
    assert cookie_path.exists() == ("cookie" in expected)
    if cookie is not None:
        assert cookie.path == cookie_path and cookie_path.read_text() == cookie.user_pass
        assert cookie_path.stat().st_mode & 0o777 == 0o600
        cookie.delete()
