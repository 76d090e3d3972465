"""Release dialects: field tables and the renderers derived from them."""

from simnode.profiles.profile import Profile
from simnode.profiles.releases import DEFAULT_PROFILE, PROFILES, get_profile

__all__ = ["DEFAULT_PROFILE", "PROFILES", "Profile", "get_profile"]
