"""qsub_options: a SubmitRequest in qsub's words, with every value checked."""

from __future__ import annotations

from typing import Any

import pytest

from jupyterlab_hpc.schedulers.base import InvalidOption, SchedulerError, SubmitRequest
from jupyterlab_hpc.schedulers.pbs.submit import (
    qsub_options,
    variable_options,
    walltime,
)


def test_empty_request_has_no_options() -> None:
    assert qsub_options(SubmitRequest()) == []


def test_every_field_in_qsub_words() -> None:
    request = SubmitRequest(
        name="basicjob",
        partition="workq",
        time_limit="00:15:00",
        nodes=1,
        cpus=2,
        memory="4G",
        gpus=1,
        account="proj42",
        array="1-3",
        dependency="afterok:1.pbs01:2.pbs01",
        hold=True,
        output="/home/alice/pbsout/basicjob.out",
        error="/home/alice/pbsout/basicjob.err",
        mail_type="END,FAIL",
        mail_user="alice@pbs01",
        extra=["-r", "n"],
    )
    assert qsub_options(request) == [
        "-N", "basicjob",
        "-q", "workq",
        "-l", "walltime=00:15:00",
        "-l", "select=1:ncpus=2:mem=4gb:ngpus=1",
        "-A", "proj42",
        "-J", "1-3",
        "-W", "depend=afterok:1.pbs01:2.pbs01",
        "-h",
        "-o", "/home/alice/pbsout/basicjob.out",
        "-e", "/home/alice/pbsout/basicjob.err",
        "-m", "ea",
        "-M", "alice@pbs01",
        "-r", "n",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("15", "00:15:00"),
        ("90", "01:30:00"),
        ("5:30", "00:05:30"),
        ("01:00:00", "01:00:00"),
        ("1-02:00:00", "26:00:00"),
        ("2-0", "48:00:00"),
        ("1-1:30", "25:30:00"),
        ("200:00:00", "200:00:00"),
    ],
)
def test_walltime_from_slurm_forms(given: str, expected: str) -> None:
    assert walltime(given) == expected


@pytest.mark.parametrize("given", ["", "0", "abc", "-5", "1:2:3:4", "1h", "00:00:00"])
def test_bad_walltime_refused(given: str) -> None:
    with pytest.raises(SchedulerError):
        walltime(given)


@pytest.mark.parametrize(
    ("fields", "select"),
    [
        ({"cpus": 4}, "select=1:ncpus=4"),
        ({"memory": "100mb"}, "select=1:ncpus=1:mem=100mb"),
        ({"memory": "1024"}, "select=1:ncpus=1:mem=1024mb"),
        ({"memory": "500M"}, "select=1:ncpus=1:mem=500mb"),
        ({"nodes": 2, "ntasks": 8, "cpus": 2}, "select=2:ncpus=8:mpiprocs=4"),
        ({"gpus": 2}, "select=1:ncpus=1:ngpus=2"),
    ],
)
def test_select_statement(fields: dict[str, Any], select: str) -> None:
    options = qsub_options(SubmitRequest(**fields))
    assert options[:2] == ["-l", select]


def test_several_nodes_are_scattered() -> None:
    assert qsub_options(SubmitRequest(nodes=3)) == [
        "-l", "select=3:ncpus=1", "-l", "place=scatter",
    ]  # fmt: skip


def test_output_alone_joins_errors_into_it() -> None:
    assert qsub_options(SubmitRequest(output="out.txt")) == ["-o", "out.txt", "-j", "oe"]


def test_array_with_step_and_limit() -> None:
    assert qsub_options(SubmitRequest(array="1-10:2%3")) == [
        "-J", "1-10:2", "-W", "max_run_subjobs=3",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("mail_type", "letters"),
    [("BEGIN", "b"), ("all", "abe"), ("NONE", "n"), ("abe", "abe"), ("END,END", "e")],
)
def test_mail_events(mail_type: str, letters: str) -> None:
    assert qsub_options(SubmitRequest(mail_type=mail_type)) == ["-m", letters]


def test_slurm_only_fields_are_refused_in_words() -> None:
    with pytest.raises(SchedulerError, match="PBS has no QOS"):
        qsub_options(SubmitRequest(qos="normal"))
    with pytest.raises(SchedulerError, match="PBS has no GRES"):
        qsub_options(SubmitRequest(gres="gpu:a100:2"))


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "-h"},
        {"name": "two words"},
        {"name": "a\nb"},
        {"name": "x" * 237},
        {"partition": "-q"},
        {"partition": "work q"},
        {"account": "-A"},
        {"account": "a,b"},
        {"output": "-e"},
        {"output": "a,b"},
        {"error": "x\ny"},
        {"array": "1,3,5"},
        {"array": "5"},
        {"array": "3-1"},
        {"array": "1-3 -h"},
        {"dependency": "singleton"},
        {"dependency": "afterok:-h"},
        {"dependency": "afterok:1 -h"},
        {"mail_type": "REQUEUE"},
        {"mail_type": "NONE,END"},
        {"mail_user": "-M"},
        {"mail_user": "a b"},
        {"memory": "lots"},
        {"memory": "0G"},
        {"nodes": 0},
        {"cpus": -1},
        {"nodes": 3, "ntasks": 4},
        {"extra": ["--", "/bin/sh"]},
        {"extra": ["-I"]},
        {"extra": ["script.sh"]},
    ],
)
def test_unusable_values_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(SchedulerError) as caught:
        qsub_options(SubmitRequest(**fields))
    assert caught.value.message.endswith(".")


def test_workdir_is_not_an_option() -> None:
    assert qsub_options(SubmitRequest(workdir="/home/alice/jobs")) == []


def test_variables_and_export_all() -> None:
    assert variable_options({"A": "1", "LIST": "x,y"}, export_all=True) == [
        "-V", "-v", 'A=1,LIST="x,y"',
    ]  # fmt: skip
    with pytest.raises(SchedulerError):
        variable_options({"BAD-NAME": "1"})
    with pytest.raises(SchedulerError):
        variable_options({"A": 'say "hi"'})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"qos": "normal"}, "qos"),
        ({"gres": "gpu:1"}, "gres"),
        ({"name": "-h"}, "name"),
        ({"partition": "a b"}, "partition"),
        ({"time_limit": "soon"}, "time_limit"),
        ({"memory": "lots"}, "memory"),
        ({"nodes": 0}, "nodes"),
        ({"array": "1,2"}, "array"),
        ({"dependency": "singleton"}, "dependency"),
        ({"mail_type": "REQUEUE"}, "mail_type"),
        ({"mail_user": "a b"}, "mail_user"),
        ({"output": "-o"}, "output"),
        ({"extra": ["--"]}, "extra"),
    ],
)
def test_refusals_name_the_form_field(fields: dict[str, Any], field: str) -> None:
    # The REST API answers 400 pointing at the field (InvalidOption); the magics catch
    # SchedulerError.
    with pytest.raises(InvalidOption) as caught:
        qsub_options(SubmitRequest(**fields))
    assert caught.value.field == field
    assert isinstance(caught.value, SchedulerError)
