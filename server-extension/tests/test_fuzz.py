"""Every route gets malformed input and answers 4xx with a JSON message, never 5xx.

A seeded generator (bounded in count) sends each route wrong types, huge values, unicode,
shell metacharacters, path traversal, option injection and null bytes, in query strings
and bodies. Canaries prove no shell ever ran. The server must be healthy afterwards.
"""

from __future__ import annotations

import json
import random
import re
import string
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from tornado.web import RequestHandler

from jupyterlab_hpc.jobs.submit_checks import OPTION_NAMES

from .conftest import Submitter
from .test_auth import METHODS, registered_routes, route_path

pytestmark = pytest.mark.usefixtures("slurm")

INPUTS_PER_METHOD = 60
PATH_ARGUMENTS = [
    "no-such-kernel-fuzz",
    "..",
    "-h",
    "a b",
    "x" * 300,
    "ü",
    "$(id)",
    "%00",
    "99999999",
    "99999999_[1-3]",
    # Valid but for a trailing newline or control character ($ in a pattern matches
    # before a final newline: only fullmatch refuses them).
    "99999999\n",
    "python3\n",
    "python3\r",
    "99999999\x1b",
]
CANARY_DIR = Path("/tmp")


def nasty_strings(canary: str) -> list[str]:
    return [
        "",
        " ",
        "-h",
        "--uid=0",
        "--help",
        "-1",
        "0",
        "99999999999",  # a job number that cannot exist
        "99999999999_1",
        "99999999999_[1-3]",
        "../../etc/passwd",
        "..",
        "/etc/shadow",
        "a/../../b",
        "x\x00y",
        "\x00",
        "é漢字🚀",
        "\u202e\u2066",
        "a" * 10_000,
        "9" * 5000,
        f"$(touch {CANARY_DIR / canary})",
        f"`touch {CANARY_DIR / canary}`",
        f"; touch {CANARY_DIR / canary}",
        f"| touch {CANARY_DIR / canary}",
        f"&& touch {CANARY_DIR / canary} &&",
        "${PATH}",
        "%s%s%n",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "\n\r\t",
        "debug\n",
        "python3\n",
        "gcc/12.2.0\n",
        "PATH\n",
        "251\r\n",
        "ok\t",
        "\x1b[31mred\x1b[0m",
        "\x7f",
        "a\u2028b",
        "\x0b\x0c",
        "null",
        "true",
        "{}",
        "[]",
    ]


def random_char(rng: random.Random) -> str:
    """Any code point but the surrogates, which no client can encode."""
    c = rng.randrange(1, 0x2FFFF)
    return chr(c if not 0xD800 <= c <= 0xDFFF else c + 0x800)


def random_value(rng: random.Random, strings: list[str], depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return rng.choice(strings)
    if kind == 1:
        return "".join(rng.choice(string.printable) for _ in range(rng.randrange(1, 40)))
    if kind == 2:
        return rng.choice([0, -1, 2**63, -(2**63), 10**30, 1.5, float("1e308")])
    if kind == 3:
        return rng.choice([None, True, False])
    if kind == 4:
        return "".join(random_char(rng) for _ in range(rng.randrange(1, 12)))
    if kind == 5:
        return rng.choice(strings) * rng.randrange(1, 4)
    if kind == 6:
        return [random_value(rng, strings, depth + 1) for _ in range(rng.randrange(0, 5))]
    if kind == 7:
        return [rng.choice(strings) for _ in range(rng.randrange(1, 1200))]
    keys = [
        "action",
        "job_ids",
        "name",
        "names",
        "path",
        "env",
        "argv",
        "module",
        "target",
        "display_name",
        "scope",
        "state",
        "partition",
        "since",
        # jobs/submit and submit/templates
        "script",
        "options",
        "test_only",
        "description",
        *OPTION_NAMES,
    ]
    return {
        rng.choice(keys + strings[:10]): random_value(rng, strings, depth + 1)
        for _ in range(rng.randrange(0, 6))
    }


def random_body(rng: random.Random, strings: list[str]) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return json.dumps(random_value(rng, strings)).encode()
    if kind == 1:
        return rng.choice(strings).encode("utf-8", "surrogatepass")
    if kind == 2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if rng.random() < 0.5:
        return json.dumps(
            {
                "action": rng.choice(["cancel", "hold", "release", "x"]),
                "job_ids": [rng.choice(strings) for _ in range(3)],
            }
        ).encode()
    # A submission or template that is valid but for one hostile option (never run: the
    # script is not valid, so nothing reaches sbatch here; see the test below for that).
    return json.dumps(
        {
            "script": rng.choice(["", "echo hi", rng.choice(strings)]),
            "options": {rng.choice(OPTION_NAMES): random_value(rng, strings)},
            "test_only": True,
        }
    ).encode()


def random_params(rng: random.Random, strings: list[str]) -> dict[str, str]:
    keys = ["scope", "since", "partition", "state", "name", "path", "q", "module", "kernel"]
    keys += ["start", "end", "stream", "offset", "before", "limit"]  # history, output
    return {
        rng.choice(keys): str(random_value(rng, strings))[:3000].replace("\x00", "")
        for _ in range(rng.randrange(1, 4))
    }


async def test_every_route_survives_malformed_input(jp_fetch: Any, jp_web_app: Any) -> None:
    canary = f"jupyterlab-hpc-canary-{uuid.uuid4().hex}"
    strings = nasty_strings(canary)
    rng = random.Random(20261122)
    tried: dict[str, int] = {}
    for pattern, cls in registered_routes(jp_web_app):
        # Route parameters get names that exist nowhere (never a real kernel or job)
        # and hostile ones; tornado decodes them before the handler sees them.
        argument = quote(rng.choice(PATH_ARGUMENTS), safe="")
        if not re.fullmatch(pattern, route_path(pattern, argument)):
            argument = PATH_ARGUMENTS[0]  # one the route's own pattern refuses gets tornado's 404
        path = route_path(pattern, argument).split("jupyterlab-hpc/", 1)[1]
        for method in METHODS:
            if getattr(cls, method.lower()) is getattr(RequestHandler, method.lower()):
                continue
            for _ in range(INPUTS_PER_METHOD):
                kwargs: dict[str, Any] = {"method": method, "params": random_params(rng, strings)}
                if method in ("POST", "PUT", "PATCH"):
                    kwargs["body"] = random_body(rng, strings)
                elif method == "DELETE":
                    kwargs["allow_nonstandard_methods"] = True
                response = await jp_fetch("jupyterlab-hpc", path, raise_error=False, **kwargs)
                code, body = response.code, response.body
                assert code < 500, f"{method} {path} answered {code}: {body[:300]!r} for {kwargs}"
                if code >= 400:
                    message = json.loads(body)["message"]
                    assert isinstance(message, str)
                    assert message
                tried[f"{method} {path}"] = tried.get(f"{method} {path}", 0) + 1
    assert not (CANARY_DIR / canary).exists(), "a shell ran a payload"
    healthy = await jp_fetch("jupyterlab-hpc", "capabilities")
    assert healthy.code == 200
    for route, count in sorted(tried.items()):
        print(f"fuzz: {route}: {count} malformed inputs, no 5xx")


# The sbatch options each submit field may become: one word, the value after "=".
SBATCH_WORDS = (
    "--job-name=",
    "--partition=",
    "--time=",
    "--nodes=",
    "--cpus-per-task=",
    "--mem=",
    "--gpus=",
    "--account=",
    "--output=",
    "--error=",
    "--qos=",
    "--ntasks=",
    "--gres=",
    "--array=",
    "--dependency=",
    "--chdir=",
    "--mail-type=",
    "--mail-user=",
)


async def test_hostile_submit_values_never_reach_sbatch_as_options(
    jp_fetch: Any, jp_serverapp: Any, submit: Submitter
) -> None:
    """Every form field gets every hostile value; what reaches sbatch is only --flag=value.

    The submissions are checks (--test-only), so no job is created; the runner's argv are
    recorded (the real sbatch runs) and inspected.
    """
    canary = f"jupyterlab-hpc-canary-{uuid.uuid4().hex}"
    strings = nasty_strings(canary)
    values: list[Any] = [*strings, 0, -1, 1, 2**63, 1.5, True, None, [], {}, ["-h"]]
    runner = jp_serverapp.web_app.settings["jupyterlab_hpc"].runner
    seen: list[tuple[str, ...]] = []
    original = runner.run

    async def recording_run(argv: Any, **kwargs: Any) -> Any:
        seen.append(tuple(argv))
        return await original(argv, **kwargs)

    runner.run = recording_run
    fields = [f for f in OPTION_NAMES if f not in ("extra",)]
    codes: dict[int, int] = {}
    try:
        for field in fields:
            for value in values:
                options = {field: value, "time_limit": "1", "extra": [f"--comment={submit.tag}"]}
                if field == "time_limit":
                    options[field] = value
                response = await jp_fetch(
                    "jupyterlab-hpc",
                    "jobs",
                    "submit",
                    method="POST",
                    body=json.dumps(
                        {"script": "#!/bin/sh\ntrue\n", "options": options, "test_only": True}
                    ),
                    raise_error=False,
                )
                codes[response.code] = codes.get(response.code, 0) + 1
                assert response.code < 500, f"{field}={value!r}: {response.body[:300]!r}"
                answer = json.loads(response.body)
                if response.code == 200:
                    assert answer["job_id"] is None
                else:
                    assert answer["message"]
    finally:
        runner.run = original
    sbatch_runs = [a for a in seen if a[0] == "sbatch"]
    assert sbatch_runs, "no hostile value was accepted at all"
    for argv in sbatch_runs:
        assert argv[1:3] == ("--parsable", "--test-only")
        for word in argv[3:]:
            assert word in ("--hold", f"--comment={submit.tag}") or word.startswith(SBATCH_WORDS), (
                f"{word!r} reached sbatch in {argv}"
            )
    assert not (CANARY_DIR / canary).exists(), "a shell ran a payload"
    print(
        f"submit fuzz: {sum(codes.values())} hostile values, {len(sbatch_runs)} reached "
        f"sbatch as --flag=value words, answers {dict(sorted(codes.items()))}"
    )
