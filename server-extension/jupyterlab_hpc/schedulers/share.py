"""A user's fair-share, usage and allocation per account (issue 19's *My share*), in
words every batch system could map into; only Slurm gives them (``sshare``). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AccountShare:
    """One of the user's associations: ``fair_share`` 0..1 (1: well under its share),
    ``usage`` its effective usage 0..1 against ``share`` (its normalized shares);
    ``allocation`` the limits in TRES minutes, ``used`` the minutes used of each."""

    account: str
    shares: str
    share: float | None
    usage: float | None
    fair_share: float | None
    raw_usage: int | None
    allocation: dict[str, int]
    used: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "shares": self.shares,
            "share": self.share,
            "usage": self.usage,
            "fair_share": self.fair_share,
            "raw_usage": self.raw_usage,
            "allocation": dict(self.allocation),
            "used": {k: v for k, v in self.used.items() if k in self.allocation},
        }
