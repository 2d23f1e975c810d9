"""Lmod (`$LMOD_CMD`, e.g. /usr/share/lmod/lmod/libexec/lmod) behind the ModuleSystem interface."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from . import parse
from .base import Module, ModuleDetails, ModuleSystem, SpiderHit


class LmodSystem(ModuleSystem):
    kind = "lmod"
    label = "Lmod"
    hierarchy_search = True

    def __init__(self, command: str, spider_command: str | None = None) -> None:
        super().__init__(command)
        # The `spider` script next to `lmod` prints the whole hierarchy as JSON.
        self.spider_command = spider_command or os.path.join(os.path.dirname(command), "spider")

    def parse_version(self, text: str) -> str | None:
        return parse.parse_lmod_version(text)

    def avail_argvs(self, hidden: bool) -> list[list[str]]:
        argvs = [self.argv("-t", "avail"), self.argv("-t", "-d", "avail")]
        if hidden:
            argvs.append(self.argv("-t", "--show_hidden", "avail"))
        return argvs

    def parse_avail(self, outputs: Sequence[str]) -> list[Module]:
        return parse.parse_lmod_avail(*outputs)

    def spider_argv(self, env: Mapping[str, str], query: str) -> list[str]:
        return [self.spider_command, "-o", "jsonSoftwarePage", env.get("MODULEPATH", "")]

    def parse_spider(self, stdout: str, stderr: str, query: str) -> list[SpiderHit]:
        return parse.parse_lmod_spider_json(stdout, query)

    def details_argvs(self, name: str) -> list[list[str]]:
        return [self.argv("show", name), self.argv("whatis", name), self.argv("help", name)]

    def parse_details(self, name: str, outputs: Sequence[str]) -> ModuleDetails:
        show, whatis, help_text = outputs
        path, actions = parse.parse_lmod_show(show)
        return ModuleDetails(
            full_name=name,
            path=path,
            whatis=parse.parse_lmod_whatis(whatis),
            help=parse.parse_lmod_help(help_text),
            actions=actions,
            show=show.strip(),
        )

    def swap_argv(self, old: str, new: str) -> list[str]:
        return self.argv("swap", old, new)

    def delete_collection_argv(self, name: str) -> list[str]:
        return self.argv("disable", name)

    def collections_argv(self) -> list[str]:
        return self.argv("-t", "savelist")

    def parse_collections(self, stderr: str) -> list[str]:
        return parse.parse_lmod_savelist(stderr)
