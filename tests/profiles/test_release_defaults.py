"""-rpcthreads/-rpcworkqueue defaults per release (src/httpserver.h DEFAULT_HTTP_THREADS,
DEFAULT_HTTP_WORKQUEUE: 4/16 up to 28 and in PAI Core 3.0.0, 16/64 from 29, #31215), which
simnode serve uses when they are not given (issue 11)."""

from simnode.profiles import PROFILES, get_profile
from simnode.profiles.history import v
from simnode.profiles.releases import rpc_server_defaults


def test_rpc_threads_and_work_queue_default_per_release():
    for name, profile in PROFILES.items():
        modern = name.startswith("core-") and profile.identity.version_number >= v("29")
        assert rpc_server_defaults(profile) == ((16, 64) if modern else (4, 16)), name
    assert rpc_server_defaults(get_profile("core-31"), 2, None) == (2, 64)  # given ones win
    assert rpc_server_defaults(get_profile("pai"), -3, 0) == (1, 1)  # std::max(..., 1)
