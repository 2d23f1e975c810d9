"""Pure checks of a kernel.json document: problems that block a save, warnings that do not.

Problems and warnings are sentences for a person, each tied to the field it is about, so
the editor can show them next to that field.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .batch.options import PROVISIONER_NAME, BatchKernelError, parse_options

NAME_PATTERN = re.compile(r"[a-z0-9._-]+")
NAME_MAX_LENGTH = 100
ENV_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
INTERRUPT_MODES = ("signal", "message")
CONNECTION_FILE = "{connection_file}"

# The fields of kernel.json this package understands, in the order it writes them.
KNOWN_FIELDS = ("argv", "display_name", "language", "interrupt_mode", "env", "metadata")

# jupyter_client (KernelManager.format_kernel_cmd) replaces argv[0] with the server's own
# interpreter when it is exactly one of these names: "python", "python<major>" and
# "python<major>.<minor>" of the Python the server runs on.
SERVER_PYTHON_NAMES = (
    "python",
    f"python{sys.version_info[0]}",
    f"python{sys.version_info[0]}.{sys.version_info[1]}",
)

# string.Template's syntax, which jupyter_client uses to expand env values at launch:
# "$$" is a literal "$", "$NAME" and "${NAME}" are references.
TEMPLATE_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[_a-zA-Z][_a-zA-Z0-9]*)|\{(?P<braced>[_a-zA-Z][_a-zA-Z0-9]*)\})"
)


class InvalidName(ValueError):
    """A kernel name that cannot be used as a kernelspec folder name."""


@dataclass(frozen=True)
class Finding:
    """One problem or warning: the field it is about (``argv``, ``env.PATH``...) and why."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def validate_name(name: object) -> str:
    """The name itself when it is a safe kernelspec folder name; InvalidName otherwise."""
    if not isinstance(name, str) or not name:
        raise InvalidName("A kernel name is required.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidName(f"A kernel name has at most {NAME_MAX_LENGTH} characters.")
    if name in (".", "..") or not NAME_PATTERN.fullmatch(name):
        raise InvalidName(
            f"'{name}' is not a valid kernel name: use lowercase letters, digits, '.', '_' "
            "and '-' only (and not '.' or '..')."
        )
    return name


def spec_problems(spec: object) -> list[Finding]:
    """What makes ``spec`` an invalid kernel.json; an empty list when it is valid."""
    if not isinstance(spec, dict):
        return [Finding("", "A kernelspec must be a JSON object.")]
    found: list[Finding] = []
    argv = spec.get("argv")
    if not isinstance(argv, list) or not argv:
        found.append(Finding("argv", "argv must be a non-empty list of strings."))
    elif not all(isinstance(a, str) for a in argv):
        found.append(Finding("argv", "Every argv entry must be a string."))
    else:
        if not argv[0].strip():
            found.append(Finding("argv", "argv[0], the program to run, must not be empty."))
        if not any(CONNECTION_FILE in a for a in argv):
            found.append(
                Finding(
                    "argv",
                    f"argv must contain {CONNECTION_FILE}: the kernel reads its ports "
                    "from that file.",
                )
            )
    display_name = spec.get("display_name")
    if not isinstance(display_name, str) or not display_name.strip():
        found.append(Finding("display_name", "The display name must not be empty."))
    if "language" in spec and not isinstance(spec["language"], str):
        found.append(Finding("language", "language must be a string."))
    if "interrupt_mode" in spec and spec["interrupt_mode"] not in INTERRUPT_MODES:
        found.append(Finding("interrupt_mode", "interrupt_mode must be 'signal' or 'message'."))
    if "metadata" in spec and not isinstance(spec["metadata"], dict):
        found.append(Finding("metadata", "metadata must be a JSON object."))
    elif isinstance(spec.get("metadata"), dict):
        found.extend(_provisioner_problems(spec["metadata"]))
    if "env" in spec:
        found.extend(_env_problems(spec["env"]))
    return found


def _provisioner_problems(metadata: dict[str, Any]) -> list[Finding]:
    """A batch kernel's settings (``metadata.kernel_provisioner.config`` of ``hpc-batch``),
    checked when it is saved rather than when a notebook starts it."""
    stanza = metadata.get("kernel_provisioner")
    where = "metadata.kernel_provisioner"
    if stanza is None:
        return []
    if not isinstance(stanza, dict):
        return [Finding(where, f"{where} must be an object with a provisioner_name.")]
    if stanza.get("provisioner_name") != PROVISIONER_NAME:
        return []
    config = stanza.get("config", {})
    if not isinstance(config, dict):
        return [Finding(f"{where}.config", f"{where}.config must be an object of settings.")]
    try:
        parse_options(config, None)
    except BatchKernelError as e:
        field = f"{where}.config.{e.field}" if e.field else f"{where}.config"
        return [Finding(field, e.message)]
    return []


def _env_problems(env: object) -> list[Finding]:
    if not isinstance(env, dict):
        return [Finding("env", "env must be an object of variable names to string values.")]
    found: list[Finding] = []
    for key, value in env.items():
        if not ENV_NAME_PATTERN.fullmatch(key):
            found.append(
                Finding(
                    f"env.{key}",
                    f"'{key}' is not a valid environment variable name: use letters, digits "
                    "and '_', not starting with a digit.",
                )
            )
        if not isinstance(value, str):
            found.append(Finding(f"env.{key}", f"The value of {key} must be a string."))
        elif "\0" in value:
            found.append(Finding(f"env.{key}", f"The value of {key} contains a NUL character."))
    return found


def env_references(value: str) -> list[str]:
    """The variable names ``value`` refers to as ``$NAME`` or ``${NAME}``, in order."""
    return [
        m.group("named") or m.group("braced")
        for m in TEMPLATE_REFERENCE.finditer(value)
        if not m.group("escaped")
    ]


def bare_python_matters(location: str, writable: bool) -> bool:
    """Whether a bare ``python`` argv[0] is worth a warning for a kernel: only where the
    user can change it (a writable kernel.json) and where the substitution may not be
    meant. A kernel in the server's own environment (``{sys.prefix}/share/jupyter``,
    location ``env``: the "Python 3 (ipykernel)" kernel ipykernel installs there) names
    that environment's Python, which is the server's: the substitution is what it means."""
    return writable and location != "env"


def spec_warnings(
    spec: Mapping[str, Any], server_env: Mapping[str, str], check_python: bool = True
) -> list[Finding]:
    """What will probably not do what the user means, for a spec without problems.
    ``check_python`` False leaves out the bare-``python`` warning (see
    `bare_python_matters`)."""
    found: list[Finding] = []
    argv = spec.get("argv")
    if check_python and isinstance(argv, list) and argv and argv[0] in SERVER_PYTHON_NAMES:
        found.append(
            Finding(
                "argv",
                f"argv[0] is the bare name '{argv[0]}': jupyter_client replaces it with the "
                f"server's own Python ({sys.executable}), not the one on PATH. Use the full "
                "path of the interpreter you mean.",
            )
        )
    env = spec.get("env")
    if isinstance(env, dict):
        for key, value in env.items():
            if not isinstance(value, str):
                continue
            for ref in dict.fromkeys(env_references(value)):
                if ref not in server_env:
                    found.append(
                        Finding(
                            f"env.{key}",
                            f"{key} refers to ${{{ref}}}, which is not set in the server's "
                            f"environment: the kernel will see the text ${{{ref}}} as is.",
                        )
                    )
    return found
