"""The budget's optimizer steps mapped onto SDV epochs: whole epochs, never past the budget."""

import itertools
import math

import pytest

from advisor_sdv import ctgan_plan, tvae_plan


def test_wine_at_smoke_is_one_step_an_epoch():
    # 142 training rows, smoke: 200 steps of 256 rows
    assert tvae_plan(142, 200, 256) == tvae_plan(142, 200, 142)
    tvae = tvae_plan(142, 200, 256)
    assert (tvae.epochs, tvae.batch_size, tvae.steps_per_epoch, tvae.steps) == (200, 142, 1, 200)
    ctgan = ctgan_plan(142, 200, 256)
    assert (ctgan.epochs, ctgan.batch_size, ctgan.steps_per_epoch, ctgan.steps) == (200, 250, 1, 200)


def test_the_epochs_follow_the_budget_sized_to_the_table():
    from advisor.budgets import get_budget

    wine = get_budget("quick").sized_for(142, "tabular")  # 4,058 steps of 35 rows: 1,000 passes over the 142
    tvae = tvae_plan(142, wine.train_steps, wine.batch_size)  # 5 steps an epoch, the last of 2 rows
    assert (tvae.epochs, tvae.batch_size, tvae.steps) == (wine.train_steps // 5, 35, 4_055)
    ctgan = ctgan_plan(142, wine.train_steps, wine.batch_size)  # 30 rows drawn a step, 4 steps an epoch
    assert (ctgan.epochs, ctgan.batch_size, ctgan.steps_per_epoch) == (wine.train_steps // 4, 30, 4)
    assert wine.train_steps - ctgan.steps < ctgan.steps_per_epoch


def test_several_steps_an_epoch():
    tvae = tvae_plan(20_000, 10_000, 512)  # ceil(20000 / 512) = 40 steps an epoch
    assert (tvae.steps_per_epoch, tvae.epochs, tvae.steps) == (40, 250, 10_000)
    ctgan = ctgan_plan(20_000, 10_000, 512)  # batch 510, 20000 // 510 = 39 steps an epoch
    assert (ctgan.batch_size, ctgan.steps_per_epoch, ctgan.epochs, ctgan.steps) == (510, 39, 256, 9_984)


def test_one_epoch_larger_than_the_budget_raises_the_batch():
    tvae = tvae_plan(1_000_000, 200, 256)
    assert tvae.epochs == 1 and tvae.steps <= 200 and tvae.batch_size == 5_000
    ctgan = ctgan_plan(1_000_000, 200, 256)
    assert ctgan.epochs == 1 and ctgan.steps <= 200 and ctgan.batch_size % 10 == 0


@pytest.mark.parametrize(
    "n_rows, steps, batch",
    itertools.product((2, 50, 142, 455, 1_001, 20_000, 123_457), (1, 7, 200, 10_000), (1, 64, 256, 1_024)),
)
def test_never_past_the_budget_and_within_an_epoch_of_it(n_rows, steps, batch):
    for plan in (tvae_plan(n_rows, steps, batch), ctgan_plan(n_rows, steps, batch)):
        assert 1 <= plan.steps <= steps
        assert steps - plan.steps < plan.steps_per_epoch
    ctgan = ctgan_plan(n_rows, steps, batch)
    assert ctgan.batch_size % 10 == 0
    assert tvae_plan(n_rows, steps, batch).steps_per_epoch == math.ceil(
        n_rows / tvae_plan(n_rows, steps, batch).batch_size
    )


def test_epochs_set_by_hand_are_kept():
    assert tvae_plan(142, 200, 256, epochs=300).steps == 300
    assert ctgan_plan(142, 200, 256, epochs=300).epochs == 300
