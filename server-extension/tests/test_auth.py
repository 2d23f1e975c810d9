"""Every route the extension registers refuses requests without credentials."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tornado.routing import Rule
from tornado.web import RequestHandler

from jupyterlab_hpc import handlers
from jupyterlab_hpc.kernelspecs import handlers as kernelspec_handlers

HANDLER_MODULES = (handlers, kernelspec_handlers)
# What a route's parameters are filled with: a valid kernel name, which also fits a job id.
PATH_ARGUMENT = "python3"
GROUP = re.compile(r"\((?:[^()\\]|\\.)*\)")

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


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
    assert len(routed) == len(handlers.all_routes())


async def test_unauthenticated_requests_are_refused(
    jp_web_app: Any, http_server_client: Any
) -> None:
    routes = registered_routes(jp_web_app)
    assert routes, "the extension registered no routes"
    tried = 0
    for pattern, cls in routes:
        # Each group of a parametrized route is filled in, so those routes are hit too.
        path = re.sub(r"\$$", "", GROUP.sub(PATH_ARGUMENT, pattern))
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
