import os

# Imported here, before any in-process pytester run: pytester restores sys.modules afterwards,
# and a second import of PyYAML next to its already-initialised C extension resolves no tags.
import yaml  # noqa: F401
from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

# No example database: a run here behaves as one on a fresh clone (CI) does.
settings.register_profile("default", max_examples=40, deadline=None, database=None)
settings.register_profile(
    "long", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("SIMNODE_HYPOTHESIS_PROFILE", "default"))
