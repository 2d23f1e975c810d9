"""Every route the extension registers refuses requests without credentials."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tornado.routing import Rule
from tornado.web import RequestHandler

from jupyterlab_hpc import routes
from jupyterlab_hpc.base import handlers
from jupyterlab_hpc.cluster import handlers as cluster_handlers
from jupyterlab_hpc.jobs import handlers as job_handlers
from jupyterlab_hpc.jobs import history_handlers, queue_handlers
from jupyterlab_hpc.kernels import handlers as kernel_handlers
from jupyterlab_hpc.kernels.batch import handlers as batch_kernel_handlers
from jupyterlab_hpc.modules import handlers as module_handlers
from jupyterlab_hpc.session import handlers as session_handlers

HANDLER_MODULES = (
    queue_handlers,
    module_handlers,
    kernel_handlers,
    job_handlers,
    history_handlers,
    cluster_handlers,
    batch_kernel_handlers,
    session_handlers,
)
# What a route's parameters are filled with: a valid kernel name and template name, which
# also reaches the job routes (jobs/{id}, jobs/{id}/output) before any id check.
PATH_ARGUMENT = "python3"
GROUP = re.compile(r"\((?:[^()\\]|\\.)*\)")

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def route_path(pattern: str, argument: str = PATH_ARGUMENT) -> str:
    """A request path for a route pattern: parameters filled, the end anchor dropped."""
    return re.sub(r"\$$", "", GROUP.sub(lambda _: argument, pattern))


def registered_routes(web_app: Any) -> list[tuple[str, type]]:
    """(pattern, handler class) of every rule in the app whose handler is ours."""
    found: list[tuple[str, type]] = []

    def walk(rules: list[Rule]) -> None:
        for rule in rules:
            target = rule.target
            if hasattr(target, "rules"):
                walk(target.rules)
            elif isinstance(target, type) and target.__module__.startswith("jupyterlab_hpc"):
                found.append((rule.matcher.regex.pattern, target))

    walk(web_app.default_router.rules)
    walk(web_app.wildcard_router.rules)
    return found


def test_every_handler_class_is_routed(jp_web_app: Any) -> None:
    routed = {cls for _, cls in registered_routes(jp_web_app)}
    # Concrete handlers: those with at least one HTTP method of their own.
    defined = {
        obj
        for module in HANDLER_MODULES
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, handlers.HPCHandler)
        and any(getattr(obj, m.lower()) is not getattr(RequestHandler, m.lower()) for m in METHODS)
    }
    assert routed == defined
    assert len(routed) == len(routes.all_routes())


async def test_unauthenticated_requests_are_refused(
    jp_web_app: Any, http_server_client: Any
) -> None:
    routes = registered_routes(jp_web_app)
    assert routes, "the extension registered no routes"
    tried = 0
    for pattern, cls in routes:
        # Each group of a parametrized route is filled in, so those routes are hit too.
        path = route_path(pattern)
        assert "(" not in path, f"route {pattern} has a group this test cannot fill in"
        assert re.fullmatch(pattern, path), f"{path} does not match its route {pattern}"
        for method in METHODS:
            if getattr(cls, method.lower()) is getattr(RequestHandler, method.lower()):
                continue
            response = await http_server_client.fetch(
                path,
                method=method,
                body=b"{}" if method in ("POST", "PUT", "PATCH") else None,
                raise_error=False,
            )
            tried += 1
            assert response.code == 403, f"{method} {path} answered {response.code} without auth"
    assert tried >= len(routes)
    print(f"unauthenticated requests refused: {tried} (routes: {len(routes)})")


@pytest.mark.parametrize("token", ["wrong-token", ""])
async def test_wrong_token_is_refused(
    http_server_client: Any, jp_base_url: str, token: str
) -> None:
    response = await http_server_client.fetch(
        f"{jp_base_url}jupyterlab-hpc/capabilities",
        headers={"Authorization": f"token {token}"},
        raise_error=False,
    )
    assert response.code == 403


def _cookies(response: Any) -> dict[str, str]:
    jar: dict[str, str] = {}
    for header in response.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


async def test_cookie_sessions_need_the_xsrf_token_to_change_state(
    jp_web_app: Any, http_server_client: Any, jp_base_url: str, jp_serverapp: Any
) -> None:
    """A browser session (cookie, no token header) cannot change state without _xsrf."""
    login_page = await http_server_client.fetch(f"{jp_base_url}login", raise_error=False)
    jar = _cookies(login_page)
    xsrf = jar["_xsrf"]
    token = jp_serverapp.identity_provider.token
    login = await http_server_client.fetch(
        f"{jp_base_url}login",
        method="POST",
        body=f"_xsrf={xsrf}&password={token}",
        headers={"Cookie": f"_xsrf={xsrf}"},
        follow_redirects=False,
        raise_error=False,
    )
    assert login.code == 302, login.code
    jar.update(_cookies(login))
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())

    # The cookie alone is a valid session: a read works.
    caps = await http_server_client.fetch(
        f"{jp_base_url}jupyterlab-hpc/capabilities", headers={"Cookie": cookie}, raise_error=False
    )
    assert caps.code == 200

    checked = 0
    for pattern, cls in registered_routes(jp_web_app):
        path = route_path(pattern)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            if getattr(cls, method.lower()) is getattr(RequestHandler, method.lower()):
                continue
            body = b"{}" if method != "DELETE" else None
            refused = await http_server_client.fetch(
                path,
                method=method,
                body=body,
                headers={"Cookie": cookie},
                allow_nonstandard_methods=True,
                raise_error=False,
            )
            assert refused.code == 403, f"{method} {path} without _xsrf answered {refused.code}"
            allowed = await http_server_client.fetch(
                path,
                method=method,
                body=body,
                headers={"Cookie": cookie, "X-XSRFToken": xsrf},
                allow_nonstandard_methods=True,
                raise_error=False,
            )
            # With the token the request reaches the handler (which may still refuse it,
            # e.g. deleting a kernel that is not yours, but not for want of _xsrf).
            assert b"xsrf" not in (allowed.body or b"").lower(), (
                f"{method} {path}: {allowed.body!r}"
            )
            assert b"xsrf" in (refused.body or b"").lower(), f"{method} {path}: {refused.body!r}"
            checked += 1
    assert checked >= 1
    print(f"XSRF: {checked} state-changing route methods refuse cookie sessions without _xsrf")
