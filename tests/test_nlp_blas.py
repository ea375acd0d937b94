"""nlp.load_model: the model's matrix products on numpy's BLAS (the default) or on thinc's BLIS."""

from __future__ import annotations

import pytest
from thinc.api import NumpyOps, get_current_ops
from threadpoolctl import threadpool_info, threadpool_limits

from conflictradar.nlp import load_model, one_blas_thread
from conflictradar.settings import DEFAULT_MODEL, ENV_NUMPY_BLAS, Settings

# Written for these tests: news prose with names, numbers, places and a quote.
TEXTS = [
    "Gunmen attacked a checkpoint near Tal Afar at dawn on Tuesday, killing 12 soldiers and wounding 20.",
    "\"We will not leave,\" said Fatima Ali, 43, whose house in Kharkiv was shelled twice in March.",
    "The UN Security Council met in New York; Russia and China abstained.",
]


def _model_ops(name: str, numpy_blas: bool) -> list[NumpyOps]:
    nlp = load_model(name, numpy_blas)
    return [node.ops for _name, pipe in nlp.pipeline if getattr(pipe, "model", None) is not None
            for node in pipe.model.walk()]


def test_the_default_model_multiplies_with_numpy_and_can_go_back_to_blis() -> None:
    numpy_ops, blis_ops = _model_ops(DEFAULT_MODEL, True), _model_ops(DEFAULT_MODEL, False)
    assert numpy_ops and blis_ops
    assert all(isinstance(ops, NumpyOps) and not ops.use_blis for ops in numpy_ops)
    assert all(ops.use_blis for ops in blis_ops)
    assert getattr(get_current_ops(), "use_blis", True), "loading leaves the process's current ops alone"


def test_both_arithmetics_annotate_ordinary_prose_alike() -> None:
    fast, stock = load_model(DEFAULT_MODEL, True), load_model(DEFAULT_MODEL, False)
    for mine, theirs in zip(fast.pipe(TEXTS), stock.pipe(TEXTS), strict=True):
        assert mine.to_bytes(exclude=["tensor"]) == theirs.to_bytes(exclude=["tensor"])


def test_the_setting_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_NUMPY_BLAS, raising=False)
    assert Settings.from_env().numpy_blas
    monkeypatch.setenv(ENV_NUMPY_BLAS, "0")
    assert not Settings.from_env().numpy_blas


def test_a_worker_uses_one_blas_thread() -> None:
    before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    try:
        one_blas_thread()
        assert {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"} == {1}
    finally:
        threadpool_limits(max(before, default=1), user_api="blas")
