"""Bitcoin Core 30's relay fees (src/policy/policy.h: DEFAULT_MIN_RELAY_TX_FEE and
DEFAULT_INCREMENTAL_RELAY_FEE 1000 -> 100 sat/kvB, #33106) as a client reads them over a socket
through python-bitcoinrpc, in getnetworkinfo and getmempoolinfo (issue 11)."""

from decimal import Decimal

import pytest

from simnode.local import LocalNode
from tests.helpers import service_proxy

OLD_FEE, NEW_FEE = Decimal("0.00001000"), Decimal("0.00000100")


RELEASES = [("pai", OLD_FEE), ("core-29", OLD_FEE), ("core-30", NEW_FEE), ("core-31", NEW_FEE)]


@pytest.mark.parametrize(("profile", "fee"), RELEASES)
def test_relay_fees_as_the_release_has_them(profile, fee):
    with LocalNode(profile=profile, peers=2) as node, service_proxy(node.rpc_url) as proxy:
        info = proxy.getnetworkinfo()
        assert (info["relayfee"], info["incrementalfee"]) == (fee, fee)
        if profile != "pai":
            mempool = proxy.getmempoolinfo()
            assert (mempool["minrelaytxfee"], mempool["incrementalrelayfee"]) == (fee, fee)
            assert mempool["mempoolminfee"] == fee  # max(dynamic 0, minrelaytxfee)
