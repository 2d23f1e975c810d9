"""The user's fair-share and usage per account, and the allocation used where the site
sets one, from ``sshare`` (issue 19). Pure: the backend runs the argv.

``sshare`` asks slurmctld (one REQUEST_SHARE_INFO for the user's associations).
Under priority/basic Slurm computes no fair-share (every NormShares is empty, usage stays
0): then there is nothing to show. ``GrpTRESMins`` is the association's allocation
(e.g. ``cpu=60000``) and ``GrpTRESRaw`` what it used of each TRES, in minutes.
"""

from __future__ import annotations

from ..share import AccountShare
from .pending import tres

SSHARE_FIELDS = (
    "Account",
    "User",
    "RawShares",
    "NormShares",
    "RawUsage",
    "EffectvUsage",
    "FairShare",
    "GrpTRESMins",
    "GrpTRESRaw",
)


def sshare_argv(user: str) -> list[str]:
    return [
        "sshare",
        "--noheader",
        "--parsable2",
        f"--users={user}",
        f"--format={','.join(SSHARE_FIELDS)}",
    ]


def _float(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _minutes(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in tres(text).items() if v.isdigit()}


def parse_sshare(text: str, user: str) -> list[AccountShare] | None:
    """The user's rows (one per account); None when the site computes no fair-share
    (priority/basic: no row has NormShares)."""
    rows = [line.split("|") for line in text.splitlines()]
    rows = [r for r in rows if len(r) == len(SSHARE_FIELDS)]
    if not any(r[3].strip() for r in rows):
        return None
    out: list[AccountShare] = []
    for account, who, raw_shares, norm, raw_usage, usage, fs, grp_mins, grp_raw in rows:
        if who.strip() != user:
            continue
        out.append(
            AccountShare(
                account=account.strip(),
                shares=raw_shares,
                share=_float(norm),
                usage=_float(usage),
                fair_share=_float(fs),
                raw_usage=int(raw_usage) if raw_usage.isdigit() else None,
                allocation=_minutes(grp_mins),
                used=_minutes(grp_raw),
            )
        )
    return out
