"""Errors the magics raise, shown by IPython as a short message instead of a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from IPython.core.error import UsageError

from ..schedulers.base import CommandFailed, InvalidJobId, SchedulerError

P = ParamSpec("P")
R = TypeVar("R")


class BatchError(SchedulerError):
    """A scheduler command failed, or no batch system answered.

    IPython calls ``_render_traceback_`` instead of printing a traceback, so the cell shows
    what failed, the command, and what the scheduler said, nothing else. Code that calls
    magics can still catch it as a SchedulerError.
    """

    def __init__(self, message: str, command: str = "", output: str = "") -> None:
        super().__init__(message, command)
        self.command = command
        self.output = output

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _lines(self) -> list[str]:
        lines = [self.message]
        if self.command:
            lines.append(f"command: {self.command}")
        lines.extend(f"  {line}" for line in self.output.strip().splitlines())
        return lines

    def _render_traceback_(self) -> list[str]:
        lines = self._lines()
        return [f"{type(self).__name__}: {lines[0]}", *lines[1:]]


def batch_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn scheduler failures inside a magic into BatchError, bad job ids into UsageError."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except BatchError:
            raise
        except CommandFailed as e:
            raise BatchError(
                f"{e.argv[0]} failed (exit code {e.returncode}).", e.detail, e.output
            ) from None
        except SchedulerError as e:
            raise BatchError(e.message, e.detail) from None
        except InvalidJobId as e:
            raise UsageError(str(e)) from None

    return wrapper
