"""Peer addresses and ban subnets, parsed the way the node's netbase does it."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def split_host_port(addr: str) -> tuple[str, int | None]:
    """``"1.2.3.4:8567"`` -> ("1.2.3.4", 8567); ``"[2001:db8::1]:8567"``
    -> ("2001:db8::1", 8567).."""
    if addr.startswith("["):
        host, _, rest = addr[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif addr.count(":") == 1:
        host, _, port = addr.partition(":")
    else:  # bare IPv6 or a host with no port
        host, port = addr, ""
    return host, int(port) if port.isdigit() else None


def ip_of(addr: str) -> IPAddress | None:
    """The IP address in an ``ip:port`` string, or None for a hostname or onion address."""
    try:
        return ipaddress.ip_address(split_host_port(addr)[0])
    except ValueError:
        return None


def is_local(addr: str) -> bool:
    """``CNetAddr::IsLocal``: IPv4 127/8 or 0/8, and IPv6 ``::1``."""
    ip = ip_of(addr)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return ip.packed[0] in (0, 127)
    return ip == ipaddress.IPv6Address("::1")


def parse_subnet(text: str) -> IPNetwork:
    """``LookupSubNet``: a single IP (as /32 or /128), CIDR, or IPv4 netmask notation.

    Raises ValueError for anything else, which the ``setban`` RPC reports as -30.
    """
    if not text or text != text.strip():
        raise ValueError(text)
    return ipaddress.ip_network(text, strict=False)


def format_subnet(subnet: IPNetwork) -> str:
    """``CSubNet::ToString``: network address and prefix length, e.g. ``192.0.2.1/32``."""
    return f"{subnet.network_address}/{subnet.prefixlen}"


def single_host_subnet(addr: str) -> IPNetwork | None:
    """The /32 or /128 that a misbehaving peer's address is banned as (``CConnman::Ban(addr)``)."""
    ip = ip_of(addr)
    return None if ip is None else ipaddress.ip_network(ip)
