"""Environment Modules 4/5 (`$MODULES_CMD`, modulecmd.tcl) behind the ModuleSystem interface."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import parse
from .base import Module, ModuleDetails, ModuleSystem, SpiderHit


class EnvironmentModulesSystem(ModuleSystem):
    kind = "environment-modules"
    label = "Environment Modules"
    # `module search` only looks at modules reachable from the current MODULEPATH.
    hierarchy_search = False
    avail_includes_hidden = True

    def parse_version(self, text: str) -> str | None:
        return parse.parse_envmodules_version(text)

    def avail_argvs(self, hidden: bool) -> list[list[str]]:
        # `-a` lists hidden modules too, tagged: one run serves both.
        return [self.argv("avail", "-j", "-a")]

    def parse_avail(self, outputs: Sequence[str]) -> list[Module]:
        return parse.parse_envmodules_avail(outputs[0])

    def spider_argv(self, env: Mapping[str, str], query: str) -> list[str]:
        # Everything once (then cached); the query is matched here, never passed as argv.
        return self.argv("search", "-j")

    def parse_spider(self, stdout: str, stderr: str, query: str) -> list[SpiderHit]:
        return parse.parse_envmodules_search(stderr, query)

    def details_argvs(self, name: str) -> list[list[str]]:
        return [self.argv("show", name), self.argv("whatis", "-j", name), self.argv("help", name)]

    def parse_details(self, name: str, outputs: Sequence[str]) -> ModuleDetails:
        show, whatis, help_text = outputs
        path, actions = parse.parse_envmodules_show(show)
        return ModuleDetails(
            full_name=name,
            path=path,
            whatis=parse.parse_envmodules_whatis(whatis),
            help=parse.parse_envmodules_help(help_text),
            actions=actions,
            show=show.strip(),
        )

    def swap_argv(self, old: str, new: str) -> list[str]:
        return self.argv("switch", old, new)

    def delete_collection_argv(self, name: str) -> list[str]:
        return self.argv("saverm", name)

    def collections_argv(self) -> list[str]:
        return self.argv("savelist", "-j")

    def parse_collections(self, stderr: str) -> list[str]:
        return parse.parse_envmodules_savelist(stderr)
