"""Who asks: the user of a hub API token (a user server's ``JUPYTERHUB_API_TOKEN``),
asked of the hub's API with JupyterHub's ``HubAuth`` (answers cached for a few minutes).
A token is let in when it is a user's and holds the service's access scope
(``access:services!service=<name>``, given to the ``server`` role in the hub's config)."""

from __future__ import annotations

import re
from typing import Any

from jupyterhub.services.auth import HubAuth
from tornado.web import HTTPError

_AUTHORIZATION = re.compile(r"(?:token|bearer) +([A-Za-z0-9_.~+/=-]{8,512})", re.IGNORECASE)


class NotAllowed(Exception):
    """The request is refused; the message says why (401 or 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def token_of(authorization: str) -> str | None:
    """The token of an ``Authorization: token ...`` header, or None."""
    match = _AUTHORIZATION.fullmatch(authorization.strip())
    return match.group(1) if match is not None else None


class HubUsers:
    def __init__(self, hub_auth: HubAuth | None = None) -> None:
        # HubAuth reads the hub's API URL, the service's token and name from the
        # environment the hub starts the service with.
        self.hub_auth = hub_auth or HubAuth()

    async def user_of(self, authorization: str) -> str:
        """The user name; NotAllowed without a token, for an unknown one, another kind
        of owner, or a token without the service's access scope. The hub's failures are
        tornado HTTPErrors (502: not answering)."""
        token = token_of(authorization)
        if token is None:
            raise NotAllowed(401, "Send your server's hub API token: Authorization: token ...")
        try:
            model: dict[str, Any] | None = await self.hub_auth.user_for_token(  # type: ignore[no-untyped-call]
                token, sync=False
            )
        except HTTPError as e:
            raise HTTPError(502, "The hub did not say whose token this is.") from e
        if model is None:
            raise NotAllowed(403, "The hub does not know this token.")
        if model.get("kind", "user") != "user" or not isinstance(model.get("name"), str):
            raise NotAllowed(403, "This token is not a user's: the queue is served to users.")
        allowed = self.hub_auth.check_scopes(  # type: ignore[no-untyped-call]
            self.hub_auth.access_scopes, model
        )
        if not allowed:
            scopes = ", ".join(sorted(self.hub_auth.access_scopes))
            raise NotAllowed(403, f"This token lacks the service's access scope ({scopes}).")
        return str(model["name"])
