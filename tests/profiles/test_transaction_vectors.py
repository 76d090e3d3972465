"""simnode's transaction rendering against Bitcoin Core's own test vectors: each JSON file under
data/bitcoin-tx/RELEASE is what that release's TxToUniv made of a transaction's hex (bitcoin-tx
-json, the function getrawtransaction and decoderawtransaction share), and simnode's decoding
and rendering of the same hex is the same JSON text, key order included: signatures with their
sighash type in the asm, P2PKH/P2SH/P2WPKH addresses, bare keys and multisig (reqSigs and
addresses up to 0.21, address from 22, desc from 23), OP_RETURN data, witness data."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from simnode.model.chainparams import BITCOIN_MAIN
from simnode.model.transactions import decode_transaction
from simnode.profiles import get_profile
from simnode.profiles.jsontext import dumps
from simnode.profiles.txviews import transaction_json
from tests.transport_helpers import AppUnderTest

VECTORS = Path(__file__).parent / "data" / "bitcoin-tx"
CASES = sorted(path.relative_to(VECTORS) for path in VECTORS.glob("*/*.json"))


def _load(text: str) -> object:
    return json.loads(text, parse_float=Decimal)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_transaction_renders_as_the_release_renders_it(case):
    expected = _load((VECTORS / case).read_text())
    profile = get_profile(f"core-{case.parts[0]}")
    tx = decode_transaction(bytes.fromhex(expected["hex"]))
    rendered = _load(dumps(transaction_json(profile, BITCOIN_MAIN, tx)))
    assert json.dumps(rendered, default=str) == json.dumps(expected, default=str)


@pytest.mark.parametrize("release", ["31", "0.15"])
def test_decoderawtransaction_answers_the_same_without_the_hex(release):
    """decoderawtransaction is TxToUniv without the hex (include_hex false)."""
    app = AppUnderTest(profile=f"core-{release}")
    for path in sorted((VECTORS / release).glob("*.json")):
        expected = _load(path.read_text())
        reply = _load(app.post({"method": "decoderawtransaction", "params": [expected["hex"]],
                                "id": 1}).data)  # fmt: skip
        del expected["hex"]
        assert json.dumps(reply["result"], default=str) == json.dumps(expected, default=str)
