"""docs/deploy.md shows the JupyterHub configurations the hub tests run, as they are, and
those files load in JupyterHub with the spawner and authenticator they name.

The hub tests themselves (a real JupyterHub, real users, a browser) are
ui-tests/hub/lab.hub.ts, run by `make test-hub`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "deploy.md"
SITE_CONFIGS = REPO / "jupyter-config" / "hub"
# A `<!-- file: PATH -->` line, then a fenced block: the file's text, whole.
SHOWN = re.compile(r"^<!-- file: (?P<path>\S+) -->\n```[a-z]*\n(?P<text>.*?)^```$", re.M | re.S)

# What jupyterlab-hpc needs from the hub's environment (docs/deploy.md's table).
NEEDED_VARIABLES = {"PATH", "LMOD_CMD", "MODULEPATH", "MODULES_CMD", "SLURM_CONF"}


def shown_files() -> dict[str, str]:
    return {m["path"]: m["text"] for m in SHOWN.finditer(DOC.read_text())}


def test_the_page_shows_every_site_file_as_it_is() -> None:
    shown = shown_files()
    expected = {str(p.relative_to(REPO)) for p in SITE_CONFIGS.iterdir() if p.is_file()}
    assert set(shown) == expected
    for path, text in shown.items():
        assert text == (REPO / path).read_text(), f"docs/deploy.md shows an old {path}"


def test_the_test_hub_loads_the_site_files_unchanged() -> None:
    test_config = (REPO / "ui-tests" / "hub" / "jupyterhub_config.py").read_text()
    assert (
        'load_subconfig(str(REPO / "jupyter-config" / "hub" / f"jupyterhub_config_{SPAWNER}.py"))'
        in test_config
    )


@pytest.mark.parametrize(
    ("name", "spawner"),
    [
        ("jupyterhub_config_localprocess.py", "jupyterhub.spawner.LocalProcessSpawner"),
        ("jupyterhub_config_slurm.py", "batchspawner.batchspawner.SlurmSpawner"),
    ],
)
def test_site_configs_load_in_jupyterhub(name: str, spawner: str) -> None:
    from jupyterhub.app import JupyterHub

    hub = JupyterHub()
    hub.load_config_file(str(SITE_CONFIGS / name))
    spawner_class = hub.spawner_class
    assert f"{spawner_class.__module__}.{spawner_class.__name__}" == spawner
    assert hub.authenticator_class.__name__ == "PAMAuthenticator"
    # The servers start from the hub's own environment.
    assert hub.config.Spawner.cmd == [str(Path(sys.prefix, "bin", "jupyterhub-singleuser"))]
    assert set(hub.config.Spawner.env_keep) >= NEEDED_VARIABLES
    assert hub.config.Spawner.default_url == "/lab"
