"""Training sized to the data: min(train_steps, ceil(epochs * rows / batch)) steps at a batch no larger
than the training rows, shrunk so that a small table still gets about `min_steps` steps in its `epochs`
passes; on tables and 2-D data, the same for every family; toys and images unchanged."""

import math

import pytest

from advisor.budgets import BUDGETS, get_budget
from advisor.data.bundled import Digits, Wine
from advisor.data.toys import Ring8
from advisor.evaluate import evaluate_cell
from advisor.plugins import load_registry


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_toys_and_images_train_as_before_at_every_budget(name):
    budget = BUDGETS[name]
    assert budget.sized_for(budget.n_train, "2d") == budget  # generated toys: the step cap binds
    assert budget.sized_for(1_437, "image") == budget  # digits' training rows: images are not sized


def test_a_small_table_gets_min_steps_at_a_smaller_batch_in_epochs_passes():
    quick = get_budget("quick")
    assert (quick.epochs, quick.min_steps) == (1_000, 4_000)
    wine = quick.sized_for(142, "tabular")
    assert (wine.train_steps, wine.batch_size) == (4_058, 35)  # 142,000 rows seen: 1,000 passes
    assert wine.model_dump() | {"train_steps": 10_000, "batch_size": 512} == quick.model_dump()
    assert quick.sized_for(455, "tabular").model_dump(include={"train_steps", "batch_size"}) == {
        "train_steps": 4_027,
        "batch_size": 113,
    }
    mid = quick.sized_for(5_000, "tabular")  # the batch cap binds before min_steps does
    assert (mid.train_steps, mid.batch_size) == (math.ceil(quick.epochs * 5_000 / 512), 512)
    assert quick.sized_for(20_000, "tabular").train_steps == quick.train_steps  # a large table: the cap
    assert quick.sized_for(142, "tabular") == wine  # deterministic
    assert get_budget("full").sized_for(142, "tabular") == wine.model_copy(
        update={k: v for k, v in get_budget("full").model_dump().items() if k not in ("train_steps", "batch_size")}
    )  # below the cap a table trains alike at every budget
    assert get_budget("smoke").sized_for(142, "tabular").batch_size == 142  # min_steps above the cap: no shrink
    assert quick.model_copy(update={"min_steps": None}).sized_for(142, "tabular").model_dump(
        include={"train_steps", "batch_size"}
    ) == {"train_steps": 1_000, "batch_size": 142}
    assert quick.model_copy(update={"epochs": None}).sized_for(142, "tabular").train_steps == 10_000
    with pytest.raises(ValueError, match="rows"):
        quick.sized_for(0, "tabular")


@pytest.mark.slow
def test_the_harness_gives_every_family_the_sized_budget():
    registry = load_registry()
    few = get_budget("smoke").model_copy(update={"epochs": 3, "min_steps": None})
    [vae] = evaluate_cell(registry, "vae", Wine(), few, 0, "cpu")
    assert vae.status.name == "COMPLETE", vae.error
    assert vae.provenance["budget"]["train_steps"] == 3 and vae.provenance["budget"]["batch_size"] == 142
    assert vae.fit["steps"] <= 3
    [gmm] = evaluate_cell(registry, "gmm", Ring8(), few, 0, "cpu")  # 2,000 generated rows: 3 passes of 256
    assert gmm.provenance["budget"]["train_steps"] == math.ceil(3 * 2_000 / 256)
    assert "dataset_source" not in gmm.provenance  # built-in data: nothing to name
    assert Digits().provenance() == {}
