"""Misbehaviour and bans (CConnman::Ban, Misbehaving @ PAI 3.0.0; discouragement from Bitcoin
Core 28). A part of ``Node``."""

from __future__ import annotations

from simnode.model import events as ev
from simnode.model.addresses import IPNetwork, ip_of, is_local, parse_subnet, single_host_subnet
from simnode.model.state import (
    BanEntry,
    EventError,
)


class Bans:
    """Node's ban list: manual bans, misbehaviour crossing -banscore, expiry."""

    def _banned_ip(self, addr: str) -> bool:
        ip = ip_of(addr)
        now = self._now_seconds
        return ip is not None and any(
            ip in subnet and entry.until > now
            for subnet, entry in self._bans.items()
            if subnet.version == ip.version
        )

    def _sweep_bans(self) -> None:
        """``CConnman::SweepBanned``: expired bans disappear (src/net.cpp @ PAI 3.0.0)."""
        now = self._now_seconds
        expired = [s for s, entry in self._bans.items() if entry.until <= now]
        for subnet in expired:
            del self._bans[subnet]
        if expired:
            self._revision += 1

    def _add_ban(self, subnet: IPNetwork, until: int, reason: str) -> None:
        """``CConnman::Ban``: keep the later expiry, then disconnect every peer in the subnet."""
        existing = self._bans.get(subnet)
        if existing is None or existing.until < until:
            self._bans[subnet] = BanEntry(subnet, self._now_seconds, until, reason)
        for peer in list(self._peers.values()):
            ip = ip_of(peer.addr)
            if ip is not None and ip.version == subnet.version and ip in subnet:
                self._remove_peer(peer.id)

    def _misbehave(self, event: ev.Misbehave) -> None:
        """``Misbehaving`` then ``SendRejectsAndCheckIfBanned`` (src/net_processing.cpp @ PAI
        3.0.0): crossing -banscore punishes the peer unless it is whitelisted or manual; local
        peers are disconnected but not banned; anyone else is disconnected and banned."""
        if event.score < 0:
            raise EventError("a misbehaviour score must not be negative")
        peer = self._peer(event.peer_id)
        if self.settings.misbehaviour == "discourage":
            # PeerManagerImpl::Misbehaving @ v28: no score; the peer is discouraged and
            # disconnected unless noban or manual (MaybeDiscourageAndDisconnect).
            if event.score and not (peer.whitelisted or peer.manual):
                self._remove_peer(peer.id)
            return
        threshold = self.settings.ban_threshold
        crossed = peer.banscore < threshold <= peer.banscore + event.score
        peer.banscore += event.score
        if not crossed or peer.whitelisted or peer.manual:
            return
        subnet = single_host_subnet(peer.addr)
        if is_local(peer.addr) or subnet is None:
            self._remove_peer(peer.id)
            return
        until = self._now_seconds + self.settings.ban_time_seconds
        self._add_ban(subnet, until, "node misbehaving")  # disconnects the peer too

    def _ban(self, event: ev.Ban) -> None:
        try:
            subnet = parse_subnet(event.subnet)
        except ValueError:
            raise EventError(f"invalid IP/subnet {event.subnet!r}") from None
        if event.until_seconds is not None:
            until = event.until_seconds
        else:
            bantime = event.bantime_seconds or self.settings.ban_time_seconds
            until = self._now_seconds + bantime
        self._add_ban(subnet, until, event.reason)

    def _unban(self, event: ev.Unban) -> None:
        try:
            subnet = parse_subnet(event.subnet)
        except ValueError:
            raise EventError(f"invalid IP/subnet {event.subnet!r}") from None
        self._sweep_bans()
        if self._bans.pop(subnet, None) is None:
            raise EventError(f"{event.subnet} is not banned")

    def _clear_bans(self, event: ev.ClearBans) -> None:
        self._bans.clear()


def subnet_key(subnet: IPNetwork) -> tuple[int, bytes, int]:
    """banmap_t is a std::map keyed by CSubNet: IPv4 (stored v4-mapped) before IPv6, then bytes."""
    return (subnet.version, subnet.network_address.packed, subnet.prefixlen)
