"""``simnode profiles`` lists every profile with the release it imitates, its protocol version,
its user agent and its aliases (issue 11); old names still select the same profiles."""

from simnode.cli import main
from simnode.profiles import PROFILES, get_profile


def test_profiles_lists_every_release(capsys):
    assert main(["profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == list(PROFILES)
    for name, profile in PROFILES.items():
        identity = profile.identity
        assert identity.release_label in rows[name]
        assert f" {identity.protocol_version} " in rows[name]
        assert identity.subversion in rows[name]
    assert rows["core-31"].endswith("bitcoin") and "(default)" in rows["pai"]


def test_old_names_are_aliases_and_bitcoin_is_the_newest():
    assert get_profile("bitcoin-0.13") is get_profile("spec") is get_profile("core-0.13")
    assert get_profile("bitcoin-28") is get_profile("core-28")
    assert get_profile("bitcoin") is list(PROFILES.values())[-1] is get_profile("core-31")


def test_serve_takes_deprecatedrpc_as_the_node_spells_it():
    from simnode.cli import build_parser

    args = build_parser().parse_args(
        ["serve", "--profile", "core-31", "-deprecatedrpc", "startingheight"]
    )
    assert args.deprecatedrpc == ["startingheight"]
    assert "startingheight" in get_profile(args.profile, args.deprecatedrpc).field_names
