"""The Faker provider and ``populate``'s own draws (``PeerDraws``, no Faker) are one source of
peers: the same seed gives the same addresses, agents, flags and versions either way."""

from simnode.model.fakepeers import (
    EPHEMERAL_PORTS,
    PROTOCOL_VERSIONS,
    USER_AGENTS,
    bitcoin_core_agents,
    seeded_draws,
)
from simnode.model.fakerprovider import seeded_faker


def test_peer_draws_are_the_faker_providers_draws():
    agents = bitcoin_core_agents((31, 0, 0))
    for seed in (0, 1, 7919, 2**40):
        fake, draws = seeded_faker(seed), seeded_draws(seed)
        from_faker, own = [], []
        for _ in range(200):
            from_faker += [fake.random_int(*EPHEMERAL_PORTS), fake.peer_address(),
                           fake.peer_address(port=8567, ipv6_share=0.5), fake.peer_ipv4(),
                           fake.peer_ipv6(), fake.user_agent_node(),
                           fake.user_agent_node(agents), fake.service_flags(),
                           fake.protocol_version(), fake.protocol_version(PROTOCOL_VERSIONS[:2]),
                           fake.random.random()]  # fmt: skip
            own += [draws.ephemeral_port(), draws.peer_address(),
                    draws.peer_address(port=8567, ipv6_share=0.5), draws.peer_ipv4(),
                    draws.peer_ipv6(), draws.user_agent_node(),
                    draws.user_agent_node(agents), draws.service_flags(),
                    draws.protocol_version(), draws.protocol_version(PROTOCOL_VERSIONS[:2]),
                    draws.random.random()]  # fmt: skip
        assert own == from_faker
        assert {agent for agent, _ in USER_AGENTS} >= set(own[5::11])
