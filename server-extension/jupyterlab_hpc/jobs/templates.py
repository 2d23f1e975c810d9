"""Submit templates: the site's (``HPCConfig.submit_templates``, read-only) and the user's own
(``{jupyter_data_dir}/jupyterlab-hpc/templates.json``).

The user's file is replaced atomically on every change. A file that cannot be read as
templates is never overwritten: it is renamed aside (``templates.json.corrupt-<time>``)
and the answers say so, so nothing is lost silently.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic_write import write_atomic
from ..schedulers.base import InvalidOption
from .submit_checks import request_to_options, validate_options

MAX_TEMPLATES = 500
MAX_DESCRIPTION = 2000
MAX_TEMPLATE_SCRIPT = 1024 * 1024
FILE_FORMAT = 1

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,62}[A-Za-z0-9._()+-]|[A-Za-z0-9]")


class TemplateError(Exception):
    """A refused template change; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def validate_template_name(value: object) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        shown = repr(value)[:60]
        raise TemplateError(
            f"{shown} is not a valid template name: use 1 to 64 letters, digits, spaces and "
            ". _ ( ) + -, starting with a letter or digit and not ending with a space.",
            field="name",
        )
    return value


@dataclass(frozen=True)
class Template:
    name: str
    source: str  # "site" or "user"
    description: str
    script: str
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "description": self.description,
            "script": self.script,
            "options": dict(self.options),
        }


def parse_template(
    entry: object, source: str, name: object = None, kind: str | None = "slurm"
) -> Template:
    """A Template from a dict (config entry, file entry or request body); TemplateError.
    ``kind``: the batch system whose rules ``extra`` follows (None: its shape only)."""
    if not isinstance(entry, Mapping):
        raise TemplateError("A template must be an object with name, description, script, options.")
    template_name = validate_template_name(entry.get("name") if name is None else name)
    description = entry.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise TemplateError(
            f"description must be text of at most {MAX_DESCRIPTION} characters.",
            field="description",
        )
    script = entry.get("script")
    if not isinstance(script, str):
        raise TemplateError("script must be the job script's text.", field="script")
    if len(script.encode("utf-8", "surrogatepass")) > MAX_TEMPLATE_SCRIPT or "\x00" in script:
        raise TemplateError("script must be text of at most 1 MiB.", field="script")
    try:
        script.encode("utf-8")
        request = validate_options(entry.get("options"), kind=kind)
    except UnicodeEncodeError:
        raise TemplateError("script is not valid text (UTF-8).", field="script") from None
    except InvalidOption as e:
        raise TemplateError(e.message, field=e.field) from None
    return Template(template_name, source, description, script, request_to_options(request))


def site_templates(
    entries: Iterable[object], log: logging.Logger, kind: str | None = "slurm"
) -> list[Template]:
    """The admin's templates; a bad entry is left out with one clear log line."""
    out: list[Template] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        label = repr(entry.get("name"))[:60] if isinstance(entry, Mapping) else f"#{i}"
        try:
            template = parse_template(entry, "site", kind=kind)
        except TemplateError as e:
            log.warning(
                "jupyterlab_hpc: HPCConfig.submit_templates entry %d (%s) is ignored: %s",
                i,
                label,
                e.message,
            )
            continue
        if template.name in seen:
            log.warning(
                "jupyterlab_hpc: HPCConfig.submit_templates entry %d (%s) is ignored: "
                "an earlier entry has the same name.",
                i,
                label,
            )
            continue
        seen.add(template.name)
        out.append(template)
    return out


class TemplateStore:
    """Site templates (fixed at start) and the user's file, behind one lock."""

    def __init__(
        self,
        site: list[Template],
        user_file: Path,
        log: logging.Logger,
        kind: str | None = "slurm",
    ) -> None:
        self.site = {t.name: t for t in site}
        # The batch system whose rules a saved template's extra options follow.
        self.kind = kind
        self.user_file = user_file
        self.log = log
        self.warnings: list[str] = []
        self._lock = threading.Lock()

    def _read_user(self) -> list[Template]:
        """The user's templates; a file that is not valid templates is moved aside."""
        try:
            data = self.user_file.read_bytes()
        except FileNotFoundError:
            return []
        try:
            body = json.loads(data)
            if not isinstance(body, dict) or not isinstance(body.get("templates"), list):
                raise TemplateError('the file is not {"templates": [...]}')
            # The extra options' shape only: the file may come from another cluster's
            # batch system, and every submission checks them against this one anyway.
            templates = [parse_template(t, "user", kind=None) for t in body["templates"]]
            if len({t.name for t in templates}) != len(templates):
                raise TemplateError("two templates have the same name")
            return templates
        except (ValueError, TemplateError) as e:
            reason = e.message if isinstance(e, TemplateError) else f"not valid JSON ({e})"
            self._keep_aside(reason)
            return []

    def _keep_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.user_file.with_name(f"{self.user_file.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.user_file.with_name(f"{self.user_file.name}.corrupt-{stamp}-{n}")
        self.user_file.rename(aside)
        message = (
            f"Your saved templates file could not be read ({reason}); it was kept as {aside} "
            "and your templates start empty. Copy what you need from it."
        )
        self.log.warning("jupyterlab_hpc: %s", message)
        self.warnings.append(message)

    def _write_user(self, templates: list[Template]) -> None:
        body = {
            "format": FILE_FORMAT,
            "templates": [
                {k: v for k, v in t.to_dict().items() if k != "source"} for t in templates
            ],
        }
        self.user_file.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(body, indent=1, ensure_ascii=False) + "\n"
        write_atomic(self.user_file, data.encode(), 0o600)

    def list(self) -> list[Template]:
        with self._lock:
            return [*self.site.values(), *self._read_user()]

    def save(self, name: str, body: Mapping[str, Any]) -> Template:
        name = validate_template_name(name)
        if name in self.site:
            raise TemplateError(
                f"{name!r} is a site template, which cannot be changed; save under another name.",
                status=403,
            )
        template = parse_template(body, "user", name=name, kind=self.kind)
        with self._lock:
            templates = self._read_user()
            if any(t.name == name for t in templates):
                templates = [template if t.name == name else t for t in templates]
            elif len(templates) >= MAX_TEMPLATES:
                raise TemplateError(f"At most {MAX_TEMPLATES} templates can be saved.")
            else:
                templates.append(template)
            self._write_user(templates)
        return template

    def delete(self, name: str) -> None:
        name = validate_template_name(name)
        if name in self.site:
            raise TemplateError(f"{name!r} is a site template, which cannot be deleted.", 403)
        with self._lock:
            templates = self._read_user()
            kept = [t for t in templates if t.name != name]
            if len(kept) == len(templates):
                raise TemplateError(f"There is no template named {name!r}.", 404)
            self._write_user(kept)
