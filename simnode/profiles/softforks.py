"""Soft-fork reports: getblockchaininfo's ``softforks``/``bip9_softforks`` and getdeploymentinfo.

PAI Core 3.0.0 (a 0.15 fork) and Bitcoin Core 0.15-0.18 send ``softforks`` as a list and
``bip9_softforks`` as an object (``SoftForkDesc``, ``BIP9SoftForkDesc`` in
src/rpc/blockchain.cpp); 0.13's list also carries the version-majority counts; 0.19-22 send one
object keyed by name (``BuriedForkDescPushBack``, ``BIP9SoftForkDescPushBack``); 23+ moved them
to ``getdeploymentinfo``. Facts: docs/research/bitcoin-core-releases.md section 2.2.
"""

from __future__ import annotations

from typing import Any

from simnode.model.chain import Chain
from simnode.profiles.history import v

DEPLOYMENT_WINDOW = {"main": 2016, "test": 2016, "regtest": 144}  # nMinerConfirmationWindow
NO_TIMEOUT = 999_999_999_999  # PAI's BIP9 deployments: nStartTime 0, this timeout
# Bitcoin Core mainnet: where each soft fork is buried (src/kernel/chainparams.cpp).
BITCOIN_BURIED = (("bip34", 227931), ("bip66", 363725), ("bip65", 388381), ("csv", 419328),
                  ("segwit", 481824), ("taproot", 709632))  # fmt: skip
# Bitcoin Core mainnet BIP9 parameters (src/chainparams.cpp): start time, timeout.
_BITCOIN_BIP9 = {"csv": (1462060800, 1493596800), "segwit": (1479168000, 1510704000),
                 "taproot": (1619222400, 1628640000)}  # fmt: skip
_MAJORITY = (("bip34", 2), ("bip66", 3), ("bip65", 4))


def softforks_list(chain: Chain, version: int | None) -> list[dict[str, Any]]:
    """``SoftForkDesc`` for bip34/66/65 (PAI: active from block 1). 0.13 reports the
    version-majority window of the last 1000 blocks (``SoftForkMajorityDesc``: 750 to enforce,
    950 to reject); 0.15 only whether the tip is past the fork's height."""
    buried = dict(BITCOIN_BURIED) if chain.params.family == "bitcoin" else {}
    forks = []
    for name, fork_version in _MAJORITY:
        active = chain.height >= buried.get(name, 1)
        if version is not None and version < v("0.15"):
            found = min(1000, chain.height + 1) if active else 0
            forks.append({"id": name, "version": fork_version,
                          "enforce": {"status": found >= 750, "found": found, "required": 750,
                                      "window": 1000},
                          "reject": {"status": found >= 950, "found": found, "required": 950,
                                     "window": 1000}})  # fmt: skip
        else:
            forks.append({"id": name, "version": fork_version, "reject": {"status": active}})
    return forks


def bip9_softforks(chain: Chain, version: int | None) -> dict[str, Any]:
    """``BIP9SoftForkDesc`` for csv and segwit. PAI deploys them from time 0 with no timeout,
    so they go defined, started, locked in and active over the first four windows; Bitcoin
    Core's mainnet ones are active from their buried heights. 0.13 has no ``since``."""
    if chain.params.family == "bitcoin":
        heights = dict(BITCOIN_BURIED)
        return {name: _bitcoin_bip9(chain, name, heights[name], version)
                for name in ("csv", "segwit")}  # fmt: skip
    window = DEPLOYMENT_WINDOW[chain.params.name]
    forks = {}
    for name, bit in (("csv", 0), ("segwit", 1)):
        period = min(chain.height // window, 3)
        status = ("defined", "started", "locked_in", "active")[period]
        entry: dict[str, Any] = {"status": status}
        if status == "started":
            entry["bit"] = bit
        entry["startTime"] = 0
        entry["timeout"] = NO_TIMEOUT
        entry["since"] = period * window
        if status == "started":
            elapsed = chain.height % window + 1
            entry["statistics"] = {"period": window, "threshold": window * 95 // 100,
                                   "elapsed": elapsed, "count": elapsed,
                                   "possible": True}  # fmt: skip
        forks[name] = entry
    return forks


def _bitcoin_bip9(chain: Chain, name: str, height: int, version: int | None) -> dict[str, Any]:
    start, timeout = _BITCOIN_BIP9[name]
    active = chain.height >= height
    entry: dict[str, Any] = {"status": "active" if active else "defined", "startTime": start,
                             "timeout": timeout}  # fmt: skip
    if version is None or version >= v("0.15"):
        entry["since"] = height if active else 0
    return entry


def softforks_object(chain: Chain, version: int) -> dict[str, Any]:
    """0.19-22: the buried forks by height; from 0.21 (0.21.1's speedy trial, shown on mainnet)
    taproot as a BIP9 deployment, with ``min_activation_height`` from 22."""
    forks: dict[str, Any] = {}
    for name, height in BITCOIN_BURIED:
        if name != "taproot":
            forks[name] = {"type": "buried", "active": chain.height >= height, "height": height}
        elif version >= v("0.21"):
            start, timeout = _BITCOIN_BIP9[name]
            active = chain.height >= height
            bip9: dict[str, Any] = {"status": "active" if active else "locked_in",
                                    "start_time": start, "timeout": timeout,
                                    "since": height if active else 687456}  # fmt: skip
            if version >= v("22"):
                bip9["min_activation_height"] = height
            forks[name] = {"type": "bip9", "bip9": bip9}
            if active:
                forks[name]["height"] = height
            forks[name]["active"] = active
    return forks


def getdeploymentinfo(chain: Chain) -> dict[str, Any]:
    """``getdeploymentinfo`` (Bitcoin Core 23+): every soft fork buried at its height."""
    return {
        "hash": chain.tip.hash,
        "height": chain.height,
        "deployments": {
            name: {"type": "buried", "active": chain.height >= height, "height": height}
            for name, height in BITCOIN_BURIED
        },
    }
