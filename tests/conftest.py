import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

settings.register_profile("default", max_examples=40, deadline=None)
settings.register_profile(
    "long", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("SIMNODE_HYPOTHESIS_PROFILE", "default"))
