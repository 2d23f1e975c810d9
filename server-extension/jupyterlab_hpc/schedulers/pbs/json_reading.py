"""Whether a PBS server's ``qstat -F json`` is asked for, remembered by each backend.

Two reasons to read the ``-f`` text form instead:

- qstat refused ``-F json`` as an unknown option (older PBS Professional): for good, since
  a qstat does not learn options.
- A job listing's JSON did not read even with the release's quirks (``pbs_json.py``). That
  call reads the text form; so do the calls of the next ``retry_seconds``, so each poll runs
  one qstat instead of a JSON one that fails and a text one (each paying qstat's pause
  when it runs twice within a second). Then JSON is tried again: a server that was
  upgraded, or whose odd job has left, is read as JSON again within ``retry_seconds``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How long a listing that did not read keeps this backend on the text form.
RETRY_SECONDS = 600.0


class JsonReading:
    def __init__(
        self, retry_seconds: float = RETRY_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.supported = True  # False once qstat refused -F json
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._text_until: float | None = None

    def use_json(self) -> bool:
        """Whether to ask this call for ``-F json``."""
        if not self.supported:
            return False
        if self._text_until is not None and self._clock() < self._text_until:
            return False
        self._text_until = None
        return True

    def refused(self) -> None:
        """qstat does not know ``-F json``."""
        self.supported = False

    def unreadable(self) -> None:
        """The JSON just asked for did not read: the text form for a while."""
        self._text_until = self._clock() + self.retry_seconds
