"""REST handler of the session job: ``GET session``.

``{"job": null, "message": ...}`` when this server runs in no batch job (the frontend then
shows nothing); else the job's figures from ``SessionService`` (service.py).
"""

from __future__ import annotations

import tornado.web

from ..base.handlers import HPCHandler


class SessionHandler(HPCHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        session = self.hpc.session
        if session is None:
            self.finish({"job": None, "message": self.hpc.no_session_message})
            return
        self.finish(await session.state())


SESSION_ROUTES: list[tuple[str, type[HPCHandler]]] = [("session", SessionHandler)]
