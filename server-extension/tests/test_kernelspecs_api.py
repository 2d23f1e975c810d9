"""The kernelspec REST API through a real Jupyter server, on temporary Jupyter folders.

pytest-jupyter's ``jp_environ`` points JUPYTER_DATA_DIR, the env and the system Jupyter
paths at temporary folders, and these tests add their own JUPYTER_PATH folder, so the
real user's kernels are never read or touched.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from tornado.httpclient import HTTPClientError

from jupyterlab_hpc.kernels import files

NOBODY = 65534  # a uid that is not ours: its folders are read-only to us even as root


async def call(jp_fetch: Any, method: str, *path: str, body: Any = None) -> Any:
    response = await jp_fetch(
        "jupyterlab-hpc",
        "kernelspecs",
        *path,
        method=method,
        body=json.dumps(body) if body is not None else None,
        allow_nonstandard_methods=True,
    )
    return json.loads(response.body) if response.body else None


async def refused(jp_fetch: Any, status: int, method: str, *path: str, body: Any = None) -> Any:
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, method, *path, body=body)
    assert info.value.code == status, info.value.response.body if info.value.response else ""
    assert info.value.response is not None
    answer = json.loads(info.value.response.body)
    assert isinstance(answer["message"], str)
    assert answer["message"]
    return answer


@pytest.fixture
def shared_kernels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JUPYTER_PATH folder with a kernel that belongs to someone else (read-only to us)."""
    root = tmp_path / "shared-jupyter"
    spec_dir = root / "kernels" / "site-python"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Site Python",
                "language": "python",
            }
        )
    )
    (spec_dir / "logo-64x64.png").write_bytes(b"\x89PNG fake logo")
    os.chown(spec_dir, NOBODY, NOBODY)
    os.chown(spec_dir / "kernel.json", NOBODY, NOBODY)
    monkeypatch.setenv("JUPYTER_PATH", str(root))
    return spec_dir


@pytest.fixture
def user_kernels(jp_data_dir: Path) -> Path:
    return Path(jp_data_dir) / "kernels"


async def create_from_python(jp_fetch: Any, name: str) -> dict[str, Any]:
    created: dict[str, Any] = await call(
        jp_fetch,
        "POST",
        body={"name": name, "display_name": f"Test {name}", "from": {"interpreter": sys.prefix}},
    )
    return created


async def test_list_shows_locations_and_writability(
    shared_kernels: Path, jp_fetch: Any, user_kernels: Path
) -> None:
    listing = await call(jp_fetch, "GET")
    by_name = {k["name"]: k for k in listing["kernelspecs"]}
    assert by_name["echo"]["location"] == "user"  # pytest-jupyter's echo kernel
    assert by_name["echo"]["writable"] is True
    assert by_name["echo"]["deletable"] is True
    site = by_name["site-python"]
    assert site["location"] == "path"
    assert site["writable"] is False
    assert "another user" in site["readonly_reason"]
    assert site["version"]["sha256"]
    assert listing["user_dir"] == str(user_kernels)
    assert "python" in listing["server_python_names"]
    locations = [f["location"] for f in listing["folders"]]
    # JUPYTER_PATH first; in a virtual env jupyter_core puts the env before the user folder.
    assert locations[0] == "path"
    assert {"user", "env", "system"} <= set(locations)


async def test_create_from_interpreter_then_edit_env(jp_fetch: Any, user_kernels: Path) -> None:
    created = await create_from_python(jp_fetch, "hpc-test")
    assert created["location"] == "user"
    assert created["writable"] is True
    spec = copy.deepcopy(created["spec"])
    assert spec["argv"][0] == os.path.join(sys.prefix, "bin", "python3")
    assert "{connection_file}" in spec["argv"]
    assert spec["env"]["PATH"].endswith(":${PATH}")
    on_disk = json.loads((user_kernels / "hpc-test" / "kernel.json").read_text())
    assert on_disk == spec

    spec["env"] = {
        "PATH": "/opt/hpc-test/bin:${PATH}",
        "LD_LIBRARY_PATH": "/opt/hpc-test/lib:/opt/other/lib",
        "OMP_NUM_THREADS": "4",
    }
    spec["interrupt_mode"] = "message"
    saved = await call(
        jp_fetch, "PUT", "hpc-test", body={"spec": spec, "version": created["version"]}
    )
    assert saved["version"]["sha256"] != created["version"]["sha256"]
    text = (user_kernels / "hpc-test" / "kernel.json").read_text()
    # Pretty-printed with indent 1, known fields in their usual order.
    assert text.startswith('{\n "argv": [\n')
    assert list(json.loads(text)) == [
        "argv",
        "display_name",
        "language",
        "interrupt_mode",
        "env",
        "metadata",
    ]
    assert list(json.loads(text)["env"]) == ["PATH", "LD_LIBRARY_PATH", "OMP_NUM_THREADS"]
    backup = json.loads((user_kernels / "hpc-test" / "kernel.json.bak").read_text())
    assert backup == created["spec"]


async def test_unknown_fields_are_kept(jp_fetch: Any, user_kernels: Path) -> None:
    created = await create_from_python(jp_fetch, "keeps-fields")
    path = user_kernels / "keeps-fields" / "kernel.json"
    data = json.loads(path.read_text())
    data["kernel_protocol_version"] = "5.5"
    data["custom_site_field"] = {"a": 1}
    path.write_text(json.dumps(data))
    fresh = await call(jp_fetch, "GET", "keeps-fields")
    assert fresh["version"]["sha256"] != created["version"]["sha256"]
    # A client that sends back only the fields it knows still keeps the others.
    spec = {k: v for k, v in fresh["spec"].items() if k != "custom_site_field"}
    spec["display_name"] = "Renamed"
    await call(jp_fetch, "PUT", "keeps-fields", body={"spec": spec, "version": fresh["version"]})
    saved = json.loads(path.read_text())
    assert saved["display_name"] == "Renamed"
    assert saved["custom_site_field"] == {"a": 1}
    assert saved["kernel_protocol_version"] == "5.5"
    # Unknown fields come after the known ones, sorted.
    assert list(saved)[-2:] == ["custom_site_field", "kernel_protocol_version"]


async def test_concurrent_change_answers_409(jp_fetch: Any, user_kernels: Path) -> None:
    created = await create_from_python(jp_fetch, "racy")
    path = user_kernels / "racy" / "kernel.json"
    changed = json.loads(path.read_text())
    changed["display_name"] = "Changed by hand"
    path.write_text(json.dumps(changed))
    spec = dict(created["spec"], display_name="Changed in the editor")
    answer = await refused(
        jp_fetch, 409, "PUT", "racy", body={"spec": spec, "version": created["version"]}
    )
    assert "changed on disk" in answer["message"]
    assert json.loads(path.read_text())["display_name"] == "Changed by hand"


CONCURRENT_ROUNDS = 20


async def test_two_clients_saving_at_once_one_wins(jp_fetch: Any, user_kernels: Path) -> None:
    """Two PUTs in flight together from the same loaded version: one 200, one 409.

    The file holds the winner's text, the loser reloads and saves again, and the winner's
    text is then the backup: nothing is lost.
    """
    await create_from_python(jp_fetch, "contested")
    path = user_kernels / "contested" / "kernel.json"
    for round_ in range(CONCURRENT_ROUNDS):
        loaded = await call(jp_fetch, "GET", "contested")
        specs = [dict(loaded["spec"], display_name=f"Client {c} round {round_}") for c in "AB"]
        answers = await asyncio.gather(
            *(
                jp_fetch(
                    "jupyterlab-hpc",
                    "kernelspecs",
                    "contested",
                    method="PUT",
                    body=json.dumps({"spec": spec, "version": loaded["version"]}),
                    raise_error=False,
                )
                for spec in specs
            )
        )
        codes = [a.code for a in answers]
        assert sorted(codes) == [200, 409], codes
        winner, loser = (0, 1) if codes[0] == 200 else (1, 0)
        assert "changed on disk" in json.loads(answers[loser].body)["message"]
        assert json.loads(path.read_text())["display_name"] == specs[winner]["display_name"]
        # The loser reloads (seeing the winner's text) and saves its change again.
        reloaded = await call(jp_fetch, "GET", "contested")
        assert reloaded["spec"]["display_name"] == specs[winner]["display_name"]
        await call(
            jp_fetch,
            "PUT",
            "contested",
            body={"spec": specs[loser], "version": reloaded["version"]},
        )
        assert json.loads(path.read_text())["display_name"] == specs[loser]["display_name"]
        backup = json.loads((path.parent / "kernel.json.bak").read_text())
        assert backup["display_name"] == specs[winner]["display_name"]
    print(f"kernelspec concurrent saves: {CONCURRENT_ROUNDS} rounds, one 200 and one 409 each")


async def test_invalid_specs_are_refused_with_findings(jp_fetch: Any) -> None:
    created = await create_from_python(jp_fetch, "strict")
    version = created["version"]
    bad = dict(created["spec"], argv=[sys.executable, "-m", "ipykernel_launcher"])
    answer = await refused(jp_fetch, 400, "PUT", "strict", body={"spec": bad, "version": version})
    assert "{connection_file}" in answer["message"]
    assert answer["findings"][0]["field"] == "argv"
    bad = dict(created["spec"], env={"1BAD": "x", "OK": 3})
    answer = await refused(jp_fetch, 400, "PUT", "strict", body={"spec": bad, "version": version})
    assert {f["field"] for f in answer["findings"]} == {"env.1BAD", "env.OK"}
    bad = dict(created["spec"], display_name=" ", interrupt_mode="kill", metadata=[])
    answer = await refused(jp_fetch, 400, "PUT", "strict", body={"spec": bad, "version": version})
    assert {f["field"] for f in answer["findings"]} == {
        "display_name",
        "interrupt_mode",
        "metadata",
    }
    await refused(jp_fetch, 400, "PUT", "strict", body={"spec": created["spec"]})


async def test_warnings_for_bare_python_and_undefined_variables(
    jp_fetch: Any, user_kernels: Path
) -> None:
    created = await create_from_python(jp_fetch, "warned")
    spec = dict(
        created["spec"],
        argv=["python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        env={"PATH": "/x/bin:${PATH}", "EXTRA": "${NOT_SET_ANYWHERE_HPC}/lib"},
    )
    saved = await call(
        jp_fetch, "PUT", "warned", body={"spec": spec, "version": created["version"]}
    )
    fields = {w["field"]: w["message"] for w in saved["warnings"]}
    assert "server's own Python" in fields["argv"]
    assert "NOT_SET_ANYWHERE_HPC" in fields["env.EXTRA"]
    assert "env.PATH" not in fields


STOCK_PYTHON = {
    # What ipykernel's wheel installs as {sys.prefix}/share/jupyter/kernels/python3.
    "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "metadata": {"debugger": True},
}


async def test_bare_python_warns_only_where_the_user_can_act(
    jp_fetch: Any, jp_env_jupyter_path: Path, shared_kernels: Path, user_kernels: Path
) -> None:
    """The stock kernel in the server's own environment means the server's Python (even
    when, as root, its folder is writable); a read-only kernel cannot be changed here.
    A kernel of the user's own with a bare name is warned about."""
    stock = Path(jp_env_jupyter_path) / "kernels" / "python3"
    stock.mkdir(parents=True)
    (stock / "kernel.json").write_text(json.dumps(STOCK_PYTHON))
    # Root may write into the other user's folder; the file keeps its owner.
    (shared_kernels / "kernel.json").write_text(json.dumps(dict(STOCK_PYTHON, display_name="S")))
    (user_kernels / "mine").mkdir(parents=True)
    (user_kernels / "mine" / "kernel.json").write_text(json.dumps(STOCK_PYTHON))

    listing = await call(jp_fetch, "GET")
    by_name = {k["name"]: k for k in listing["kernelspecs"]}
    assert by_name["python3"]["location"] == "env"
    assert by_name["python3"]["writable"] is True  # root here: the rule is not writability
    assert by_name["python3"]["warnings"] == []
    assert by_name["site-python"]["writable"] is False
    assert by_name["site-python"]["warnings"] == []
    mine = by_name["mine"]["warnings"]
    assert [w["field"] for w in mine] == ["argv"]
    assert "server's own Python" in mine[0]["message"]


@pytest.mark.parametrize(
    "name", ["..", ".", "Upper", "has space", "a/b", "../x", "..%2Fx", "x" * 101, "é"]
)
async def test_bad_names_and_traversal_are_refused(
    jp_fetch: Any, user_kernels: Path, name: str
) -> None:
    before = sorted(p.name for p in user_kernels.parent.rglob("*"))
    body = {"name": name, "from": {"kernel": "echo"}}
    answer = await refused(jp_fetch, 400, "POST", body=body)
    assert "name" in answer["message"]
    quoted = quote(name, safe="")
    for method, path in (("GET", (quoted,)), ("DELETE", (quoted,)), ("POST", (quoted, "launch"))):
        with pytest.raises(HTTPClientError) as info:
            await call(jp_fetch, method, *path, body={} if method == "POST" else None)
        assert info.value.code in (400, 404)
    assert sorted(p.name for p in user_kernels.parent.rglob("*")) == before


async def test_duplicate_read_only_spec_into_user_folder(
    shared_kernels: Path, jp_fetch: Any, user_kernels: Path
) -> None:
    site = await call(jp_fetch, "GET", "site-python")
    answer = await refused(
        jp_fetch, 403, "PUT", "site-python", body={"spec": site["spec"], "version": site["version"]}
    )
    assert "another user" in answer["message"]
    await refused(jp_fetch, 403, "DELETE", "site-python")

    copy = await call(jp_fetch, "POST", body={"name": "my-site", "from": {"kernel": "site-python"}})
    assert copy["location"] == "user"
    assert copy["writable"] is True
    assert copy["display_name"] == "Site Python (copy)"
    assert (user_kernels / "my-site" / "logo-64x64.png").read_bytes() == b"\x89PNG fake logo"
    assert os.stat(user_kernels / "my-site").st_uid == os.geteuid()
    # The original is untouched; names are unique in the user folder.
    assert json.loads((shared_kernels / "kernel.json").read_text())["display_name"] == "Site Python"
    await refused(jp_fetch, 409, "POST", body={"name": "my-site", "from": {"kernel": "echo"}})
    # A name that a JUPYTER_PATH kernel already has would stay hidden behind it.
    answer = await refused(
        jp_fetch, 409, "POST", body={"name": "site-python", "from": {"kernel": "echo"}}
    )
    assert "comes before" in answer["message"]


async def test_delete_user_kernel(jp_fetch: Any, user_kernels: Path) -> None:
    await create_from_python(jp_fetch, "short-lived")
    await call(jp_fetch, "DELETE", "short-lived")
    assert not (user_kernels / "short-lived").exists()
    assert not [p for p in user_kernels.iterdir() if p.name.startswith(".")]
    await refused(jp_fetch, 404, "GET", "short-lived")
    await refused(jp_fetch, 404, "DELETE", "short-lived")


async def test_interpreter_without_ipykernel_is_explained(jp_fetch: Any, tmp_path: Path) -> None:
    bare = tmp_path / "bare-venv"
    subprocess.run(
        ["/usr/bin/python3", "-m", "venv", "--without-pip", str(bare)], check=True, timeout=60
    )
    answer = await refused(
        jp_fetch, 400, "POST", body={"name": "bare", "from": {"interpreter": str(bare)}}
    )
    assert "has no ipykernel" in answer["message"]
    assert "pip install ipykernel" in answer["message"]
    answer = await refused(
        jp_fetch, 400, "POST", body={"name": "bare", "from": {"interpreter": "relative/python"}}
    )
    assert "absolute" in answer["message"]
    answer = await refused(
        jp_fetch, 400, "POST", body={"name": "bare", "from": {"interpreter": str(tmp_path)}}
    )
    assert "bin/python3" in answer["message"]


async def test_symlinks_out_of_the_kernel_folder_are_refused(
    jp_fetch: Any, user_kernels: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"argv": ["x", "{connection_file}"], "display_name": "Outside"}))
    linked = user_kernels / "linked"
    linked.mkdir()
    (linked / "kernel.json").symlink_to(outside)
    record = await call(jp_fetch, "GET", "linked")
    assert record["writable"] is False
    assert "outside the kernel folder" in record["readonly_reason"]
    spec = dict(record["spec"], display_name="Hijacked")
    await refused(jp_fetch, 403, "PUT", "linked", body={"spec": spec, "version": record["version"]})
    assert json.loads(outside.read_text())["display_name"] == "Outside"

    # A whole kernel folder that is a link elsewhere is not written or deleted either.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kernel.json").write_text(outside.read_text())
    (user_kernels / "dirlink").symlink_to(elsewhere)
    record = await call(jp_fetch, "GET", "dirlink")
    assert record["writable"] is False
    await refused(jp_fetch, 403, "DELETE", "dirlink")
    assert (elsewhere / "kernel.json").exists()


async def test_interrupted_write_leaves_the_old_file(
    jp_fetch: Any, user_kernels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await create_from_python(jp_fetch, "sturdy")
    path = user_kernels / "sturdy" / "kernel.json"
    before = path.read_bytes()
    real_replace = os.replace

    def failing_replace(src: Any, dst: Any) -> None:
        if Path(dst).name == "kernel.json":
            raise OSError(28, "No space left on device (injected)")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    spec = dict(created["spec"], display_name="Never written")
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, "PUT", "sturdy", body={"spec": spec, "version": created["version"]})
    assert info.value.code == 500
    assert info.value.response is not None
    message = json.loads(info.value.response.body)["message"]
    assert "No space left on device (injected)" in message
    assert "previous version is unchanged" in message
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert json.loads(before)["display_name"] == "Test sturdy"
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]


async def test_launch_for_real_sees_the_env(jp_fetch: Any, user_kernels: Path) -> None:
    created = await create_from_python(jp_fetch, "env-check")
    spec = created["spec"]
    spec["env"] = {
        "PATH": "/opt/hpc-test/bin:${PATH}",
        "LD_LIBRARY_PATH": "/opt/hpc-test/lib",
        "HPC_TEST_VAR": "set by kernel.json",
    }
    await call(jp_fetch, "PUT", "env-check", body={"spec": spec, "version": created["version"]})

    # Through the server: the test-launch endpoint.
    answer = await call(jp_fetch, "POST", "env-check", "launch", body={})
    assert answer["ok"] is True, answer
    variables = answer["variables"]
    assert variables["PATH"].startswith("/opt/hpc-test/bin:")
    assert variables["PATH"] != "/opt/hpc-test/bin:${PATH}"  # expanded by jupyter_client
    assert variables["LD_LIBRARY_PATH"] == "/opt/hpc-test/lib"
    assert variables["HPC_TEST_VAR"] == "set by kernel.json"
    assert answer["executable"] == os.path.join(sys.prefix, "bin", "python3")

    # And straight through jupyter_client, as a notebook would start it.
    km = AsyncKernelManager(kernel_name="env-check", kernel_spec_manager=KernelSpecManager())
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        seen: list[str] = []
        await kc.execute_interactive(
            "import os; print(os.environ['PATH']); print(os.environ['LD_LIBRARY_PATH'])",
            output_hook=lambda m: (
                seen.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
            timeout=60,
        )
        path_seen, ld_seen = "".join(seen).splitlines()
        assert path_seen.split(":")[0] == "/opt/hpc-test/bin"
        assert path_seen.split(":")[1:] == os.environ["PATH"].split(":")
        assert ld_seen == "/opt/hpc-test/lib"
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


async def test_launch_shows_what_a_wrapper_script_changed(
    jp_fetch: Any, user_kernels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: a wrapper-script kernel (LSST style) that exports, changes and unsets
    variables: the test launch lists every variable that differs from the server's
    environment, the ones jupyter_client and ipykernel set themselves marked so."""
    monkeypatch.setenv("HPC_WRAPPER_DROPS", "server value")
    monkeypatch.setenv("HPC_WRAPPER_CHANGES", "server value")
    folder = user_kernels / "wrapped"
    folder.mkdir(parents=True)
    wrapper = folder / "start-kernel.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        "export SOMETHING=12345\n"
        "export HPC_WRAPPER_CHANGES='wrapper value'\n"
        "unset HPC_WRAPPER_DROPS\n"
        f'exec {sys.executable} -m ipykernel_launcher -f "$1"\n'
    )
    wrapper.chmod(0o755)
    (folder / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(wrapper), "{connection_file}"],
                "display_name": "Wrapped",
                "language": "python",
                "env": {"FROM_KERNEL_JSON": "yes"},
            }
        )
    )
    answer = await call(jp_fetch, "POST", "wrapped", "launch", body={})
    assert answer["ok"] is True, answer
    found = {d["name"]: d for d in answer["differences"]}
    assert found["SOMETHING"] == {
        "name": "SOMETHING",
        "change": "added",
        "kernel": "12345",
        "server": None,
        "set_by": None,
    }
    assert found["FROM_KERNEL_JSON"]["change"] == "added"
    assert found["HPC_WRAPPER_CHANGES"] == {
        "name": "HPC_WRAPPER_CHANGES",
        "change": "changed",
        "kernel": "wrapper value",
        "server": "server value",
        "set_by": None,
    }
    assert found["HPC_WRAPPER_DROPS"]["change"] == "removed"
    assert found["HPC_WRAPPER_DROPS"]["kernel"] is None
    assert found["JPY_PARENT_PID"]["set_by"] == "jupyter"
    assert found["MPLBACKEND"]["set_by"] == "kernel"  # ipykernel, once started
    assert "PATH" not in found  # the same as the server's
    assert set(found) == {d["name"] for d in answer["differences"]}  # one row each
    assert answer["modules"] == {"kernel": [], "server": []}


async def test_launch_of_a_broken_kernel_says_why(jp_fetch: Any, user_kernels: Path) -> None:
    folder = user_kernels / "broken"
    folder.mkdir()
    (folder / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-c",
                    "import sys; sys.exit('no kernel here')",
                    "{connection_file}",
                ],
                "display_name": "Broken",
                "language": "python",
            }
        )
    )
    answer = await call(jp_fetch, "POST", "broken", "launch", body={})
    assert answer["ok"] is False
    assert answer["message"]
    assert "no kernel here" in answer["stderr"]


async def test_launch_of_a_non_python_kernel(jp_fetch: Any) -> None:
    answer = await call(jp_fetch, "POST", "echo", "launch", body={})
    assert answer["ok"] is True, answer
    assert answer["variables"] is None
    assert answer["differences"] is None
    assert answer["modules"] is None
    assert "Python kernels only" in answer["message"]
