"""simnode's peers for Faker's users: ``fake.add_provider(SimnodeProvider)``, then
``fake.peer_address()``, ``fake.user_agent_node()``, ... A module of its own so that only who
uses Faker imports it (~60 ms); the draws are ``PeerDraws``' on the Faker's seeded random."""

from __future__ import annotations

import threading

from faker import Faker
from faker.providers import BaseProvider

from simnode.model.fakepeers import PROTOCOL_VERSIONS, USER_AGENTS, PeerDraws


class SimnodeProvider(BaseProvider):
    """Faker provider: ``PeerDraws``' draws on the Faker's own ``random``."""

    def _draws(self) -> PeerDraws:
        return PeerDraws(self.generator.random)

    def peer_ipv4(self) -> str:
        return self._draws().peer_ipv4()

    def peer_ipv6(self) -> str:
        return self._draws().peer_ipv6()

    def peer_address(self, port: int | None = None, ipv6_share: float = 0.15) -> str:
        """``ip:port``, IPv6 in brackets; an ephemeral port unless one is given."""
        return self._draws().peer_address(port, ipv6_share)

    def user_agent_node(self, agents: tuple[tuple[str, int], ...] = USER_AGENTS) -> str:
        return self._draws().user_agent_node(agents)

    def service_flags(self) -> int:
        return self._draws().service_flags()

    def protocol_version(self, versions: tuple[tuple[int, int], ...] = PROTOCOL_VERSIONS) -> int:
        return self._draws().protocol_version(versions)


_fakers = threading.local()


def seeded_faker(seed: int) -> Faker:
    """A Faker with the simnode provider, seeded for this instance only.

    Building a Faker costs about a millisecond, so each thread keeps one and reseeds it."""
    fake = getattr(_fakers, "instance", None)
    if fake is None:
        fake = _fakers.instance = Faker()
        fake.add_provider(SimnodeProvider)
    fake.seed_instance(seed)
    return fake
