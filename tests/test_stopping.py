"""The shared held-out scoring schedule: cadence in epochs with a 10-step floor, patience of at least 1,000 steps."""

import pytest

pytest.importorskip("torch")

from advisor.torchkit import StoppingSchedule, stopping_schedule  # noqa: E402


def test_a_small_table_is_scored_every_ten_steps_and_never_cut_short_of_a_thousand_steps():
    wine = stopping_schedule(1_000, 128, 128)  # sized quick budget: one full batch per step
    assert wine == StoppingSchedule(every=10, patience=100)
    assert wine.patience_steps == 1_000
    assert stopping_schedule(3_000, 128, 128) == wine  # more steps do not shorten or lengthen it


@pytest.mark.parametrize(
    ("steps", "rows", "batch", "every", "patience"),
    [
        (10_000, 18_000, 512, 36, 28),  # a generated toy at the quick budget: an epoch is 36 steps
        (10_000, 1_294, 512, 10, 100),  # digits: 3 steps an epoch, scored every 10
        (50_000, 90_000, 1_024, 88, 25),  # full budget: 25 epochs of 88 steps exceed the 1,000-step floor
        (200, 1_800, 256, 10, 100),  # smoke: at least 20 scores a run
    ],
)
def test_cadence_is_an_epoch_and_patience_the_larger_of_1000_steps_and_25_epochs(steps, rows, batch, every, patience):
    schedule = stopping_schedule(steps, rows, batch)
    assert (schedule.every, schedule.patience) == (every, patience)


def test_patience_is_at_least_ten_scores_and_bad_sizes_are_refused():
    assert stopping_schedule(100, 10, 10, patience_steps=20) == StoppingSchedule(every=10, patience=10)
    with pytest.raises(ValueError, match="positive"):
        stopping_schedule(100, 0, 10)


def test_a_costly_score_is_taken_at_most_max_scores_times():
    from advisor.torchkit.stopping import stopping_schedule

    cheap = stopping_schedule(4_058, 113, 35)  # wine at quick: an epoch of 4 steps, a score every 10
    costly = stopping_schedule(4_058, 113, 35, max_scores=50)
    assert cheap.every == 10 and costly.every == 81
    assert costly.patience_steps >= 1_000  # the patience floor holds in steps
