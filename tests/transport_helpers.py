"""A NodeApp behind werkzeug's test client (no socket), with a recorded sleep and the last
request's environ as the app left it (what it asked of its server)."""

import base64
import json

from werkzeug.test import Client

from simnode.http.app import NodeApp
from simnode.http.auth import Credentials, rpcauth_line
from simnode.http.simulation import Simulation
from simnode.profiles import get_profile
from simnode.scenarios.recipe import NodeRecipe, RecipeNodes

USER, PASSWORD = "alice", "s3cret"


def basic(user_pass: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(user_pass.encode()).decode()}


AUTH = basic(f"{USER}:{PASSWORD}")


class AppUnderTest:
    def __init__(
        self, peers: int = 3, profile: str = "pai", start_seconds: float | None = None,
        **app_options,
    ) -> None:  # fmt: skip
        # The release's own node (its chain, settings and peers), as a served one is built.
        recipe = NodeRecipe(get_profile(profile), peers, seed=5, start_seconds=start_seconds)
        self.sleeps: list[float] = []
        self.simulation = Simulation(RecipeNodes(recipe).new_node, recipe.profile)
        credentials = Credentials(
            (f"{USER}:{PASSWORD}",), (rpcauth_line("bob", "hunter2", salt="abc"),)
        )
        self.app = NodeApp(self.simulation, credentials, sleep=self.sleeps.append, **app_options)
        self.environ: dict = {}
        self.client = Client(self._remembering)

    def _remembering(self, environ, start_response):
        self.environ = environ
        return self.app(environ, start_response)

    def post(self, body, headers=AUTH, path="/"):
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.post(path, data=data, headers=headers)

    def call(self, method, *params, request_id=1):
        response = self.post({"method": method, "params": list(params), "id": request_id})
        return response.status_code, json.loads(response.data)
