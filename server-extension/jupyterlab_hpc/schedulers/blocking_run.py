"""Running one batch-system command for a blocking caller (magics, the command line).

Shared by every blocking backend, so they fail the same way: a missing command or a
timeout is a SchedulerError, a non-zero exit is CommandFailed, an argument the kernel
refuses to pass (E2BIG, a null byte) is a SchedulerError instead of a traceback.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

from ..runner import CommandNotFound, CommandResult, CommandRunner, CommandTimeout
from .base import CommandFailed, CommandTimedOut, SchedulerError


def run_checked(
    runner: CommandRunner,
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None,
    check: bool = True,
    timeout: float | None = None,
    stdin: str | None = None,
    grace: float = 0.0,
) -> CommandResult:
    try:
        result = runner.run_sync(argv, timeout=timeout, stdin=stdin, env=env, grace=grace)
    except CommandTimeout as e:
        raise CommandTimedOut(str(e), shlex.join(argv), e.timeout, e.stdout, e.stderr) from e
    except CommandNotFound as e:
        raise SchedulerError(str(e), shlex.join(argv)) from e
    except (OSError, ValueError) as e:
        raise SchedulerError(
            f"{argv[0]} could not be started: {getattr(e, 'strerror', None) or e}.",
            shlex.join(a[:200] for a in argv),
        ) from None
    if check and not result.ok:
        raise CommandFailed(argv, result.returncode, result.message)
    return result
