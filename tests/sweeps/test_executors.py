"""The same sweep gives identical tables in-process, on 2 processes and on a real Dask cluster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from negosim import load_scenario
from negosim.sweeps import sweep
from negosim.sweeps.runner import local_cluster

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
GRID = {
    "actors.russia.fallback.value": [0.45, 0.6],
    "actors.russia.salience.guarantees": [0.6, 0.95],
}


def _sweep(tmp_path: Path, name: str, **kwargs) -> pd.DataFrame:
    scenario = load_scenario(SEED)
    result = sweep(scenario, GRID, runs=300, seed=17, block_size=100, out=tmp_path / name, **kwargs)
    return result.runs


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    return _sweep(tmp_path_factory.mktemp("ref"), "inprocess")


def test_reference_shape(reference):
    assert reference["point"].nunique() == 4
    assert reference.groupby("point")["run"].nunique().tolist() == [300] * 4
    # Common random numbers: every point uses the same run ids and replicate seeds.
    ids = reference.groupby("point")["run"].apply(lambda s: tuple(sorted(set(s))))
    assert ids.nunique() == 1


def test_two_processes_equal_in_process(tmp_path, reference):
    frame = _sweep(tmp_path, "processes", executor="processes", workers=2)
    pd.testing.assert_frame_equal(frame, reference)


@pytest.mark.dask
def test_dask_cluster_with_two_workers_equals_in_process(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    with (
        local_cluster(2) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert len(client.scheduler_info()["workers"]) == 2
        frame = _sweep(tmp_path, "dask", executor=client, workers=2)
        # The same through the scheduler's address, as `--scheduler ADDRESS` does.
        by_address = _sweep(tmp_path, "dask_address", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(frame, reference)
    pd.testing.assert_frame_equal(by_address, reference)


@pytest.mark.dask
def test_local_cluster_does_not_need_the_default_dashboard_port(tmp_path, reference):
    """`--scheduler local` while port 8787 is taken (say, by the user's own Dask dashboard): the
    scheduler's HTTP endpoint takes a free port on 127.0.0.1 and nothing leaks (warnings are
    errors here, an unclosed socket included)."""
    pytest.importorskip("distributed")
    import socket

    blocker = socket.socket()
    try:
        blocker.bind(("127.0.0.1", 8787))
        blocker.listen()
    except OSError:
        pass  # already taken, which is the case under test anyway
    try:
        frame = _sweep(tmp_path, "local", scheduler="local", workers=2)
    finally:
        blocker.close()
    pd.testing.assert_frame_equal(frame, reference)
