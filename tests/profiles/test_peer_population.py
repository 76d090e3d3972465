"""Generated peers look like those a node of the release meets (issue 14, defect 7: peers
generated under bitcoin-28 carried PAI's /Turing:3.0.0/ user agent)."""

import pytest

from simnode.local import LocalNode


@pytest.mark.parametrize(("profile", "agent_prefix", "newest"), [
    ("pai", ("/Turing:", "/Satoshi:0.1"), "/Turing:3.0.0/"),
    ("bitcoin-0.13", ("/Satoshi:0.1",), "/Satoshi:0.13.2/"),
    ("bitcoin-28", ("/Satoshi:2",), "/Satoshi:28.1.0/"),
])  # fmt: skip
def test_generated_peers_speak_as_the_releases_neighbours(profile, agent_prefix, newest):
    with LocalNode(peers=30, seed=3, profile=profile) as node:
        peers = node.peers()
        own = node.profile.identity.protocol_version
    agents = {peer["subver"] for peer in peers}
    assert all(agent.startswith(agent_prefix) for agent in agents), agents
    assert newest in agents
    if profile != "pai":
        assert {peer["version"] for peer in peers} <= {own, own - 1, own - 2}
