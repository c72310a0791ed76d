"""The renderer: the only tests that pin wording. Records in, English out."""

import pytest

from advisor.rules.answer import (
    Caveat,
    CaveatCode,
    ClaimCheck,
    Comparison,
    DatasetComparison,
    DatasetSummary,
    RankedCandidate,
    ShortlistCode,
    Verdict,
)
from advisor.wording import caveat_lines, claim_text, comparison_text, score_digits, tie_text


def test_single_seed_caveats_for_the_same_candidates_merge_into_one_line():
    caveats = [Caveat(code=CaveatCode.SINGLE_SEED, subjects=["gmm", "kde"], datasets=[d]) for d in ("a", "b", "c")] + [
        Caveat(code=CaveatCode.SINGLE_SEED, subjects=["vae"], datasets=["a"]),
        Caveat(code=CaveatCode.SINGLE_SEED_BORROWED, subjects=["gmm", "kde"], datasets=["d"]),
        Caveat(code=CaveatCode.SINGLE_SEED_BORROWED, subjects=["vae"], datasets=["d"]),
    ]
    assert caveat_lines(caveats) == [
        "one seed only for gmm and kde on a, b and c: gaps there are not tested against seed noise",
        "one seed only for vae on a: gaps there are not tested against seed noise",
        "one seed only for gmm and kde on d: their noise is taken as the spread of the other candidates' seeds "
        "there, so a lucky seed does not rank first",
        "one seed only for vae on d: its noise is taken as the spread of the other candidates' seeds there, so a "
        "lucky seed does not rank first",
    ]


def test_memorization_caveats_are_one_line_with_each_share():
    caveats = [
        Caveat(code=CaveatCode.MEMORIZES, subjects=["gan"], datasets=["wine"], numbers={"wine": 0.36}),
        Caveat(code=CaveatCode.MEMORIZES, subjects=["kde"], datasets=["wine"], numbers={"wine": 0.5}),
    ]
    [line] = caveat_lines(caveats)
    assert "gan (wine 36%); kde (wine 50%)" in line


def test_a_claim_is_said_plainly_with_a_baseline_above_named():
    claim = ClaimCheck(
        need="best-quality",
        claim="diffusion (accepting slow sampling)",
        claimed=["diffusion"],
        measured_best=["vae"],
        agrees=False,
        baselines_above=["gmm"],
    )
    assert claim_text(claim) == (
        "The textbook says: diffusion (accepting slow sampling) for best-quality. Among the families it compares, "
        "vae measured best: the measurement does not agree. gmm, outside the textbook's comparison, ranks above them."
    )


def test_a_comparison_names_direction_unit_and_scatter():
    mine, theirs = (
        DatasetSummary(mean=0.54, std=0.04, n=3, distance_mean=0.04, distance_std=0.04),
        DatasetSummary(mean=0.541, std=0.0006, n=3, distance_mean=0.041, distance_std=0.0006),
    )
    comparison = Comparison(
        metric="c2st",
        unit="",
        higher_is_better=False,
        scale="linear",
        reference=0.5,
        rival="tvae",
        datasets=[DatasetComparison(dataset="penguins", verdict=Verdict.LESS_CONSISTENT, mine=mine, theirs=theirs)],
    )
    assert comparison_text(comparison) == (
        "c2st (closer to 0.5 is better) vs tvae: less consistent across seeds on penguins "
        "(0.54 vs 0.541, 0.04 vs 0.041 from 0.5; seed sd 0.04 vs 0.0006)"
    )


def test_a_tie_is_named_in_full():
    assert tie_text(["gmm"]) == "gmm" and tie_text(["a", "b", "c"]) == "a tie between a, b and c"


def test_the_scope_line_counts_a_long_list_of_datasets_instead_of_naming_them_all():
    from advisor.wording import NAMED_DATASETS, scope_line

    names = [f"t{i:02d}" for i in range(33)]
    scope = {
        "kinds": {"tabular": {"datasets": names, "dims": [6, 83]}},
        "train_rows": [142, 2400],
        "budget": "quick",
        "steps": None,
        "networks": [],
        "devices": ["cpu"],
    }
    line = scope_line(scope)
    shown = NAMED_DATASETS - 1
    assert line.startswith(f"tabular (6-83 dims: 33 datasets, {', '.join(names[:shown])} and {33 - shown} more)")
    assert names[shown] not in line and "142-2,400 training rows; budget quick; device cpu" in line


def test_scores_get_the_decimals_that_tell_ranks_apart():
    def ranked(label, score, rank):
        return RankedCandidate(
            family=label, sampler="default", label=label, rank=rank, score=score, need_scores={}, objectives={}, runs=3
        )

    assert score_digits([ranked("a", 0.9844, 1), ranked("b", 0.9820, 5), ranked("c", 0.7, 7)]) == 3
    assert score_digits([ranked("a", 0.9844, 1), ranked("b", 0.9843, 1), ranked("c", 0.90, 3)]) == 2  # same rank
    assert score_digits([ranked("a", 0.98441, 1), ranked("b", 0.98440, 2)]) == 4  # at most 4


@pytest.mark.parametrize("code", list(ShortlistCode))
def test_every_shortlist_verdict_says_what_the_race_measures_and_why(code):
    from advisor.rules.answer import Shortlist
    from advisor.wording import shortlist_text

    families = ["diffusion", "flow-ar"] if code == ShortlistCode.SHORTLIST else []
    found = Shortlist(
        code=code,
        families=families,
        held=24,
        tables=25,
        fewest_tables=10,
        coverage=0.95,
        nearest=1.6,
        farthest=1.5,
    )
    text = shortlist_text(found)
    expected = {
        ShortlistCode.SHORTLIST: "the race measures the prior's shortlist: diffusion and flow-ar. With each measured "
        "table left out, the prior's first 2 families held one of that table's winning families on 24 of 25 tables",
        ShortlistCode.EVERY_FAMILY: "no shorter list of the prior's families held one of that table's winning "
        "families on 95% of the 25 tables",
        ShortlistCode.FEW_TABLES: "25 measured tables are too few to judge a shortlist on (it takes 10)",
        ShortlistCode.FAR: "your table lies farther from the measured tables (1.60 typical distances from the "
        "nearest) than any of them lay from the rest (1.50)",
        ShortlistCode.ASKED: "the race measures every candidate: --every-candidate asked for it",
    }[code]
    assert expected in text


def test_candidates_not_ranked_for_the_same_reason_share_a_line():
    from advisor.rules.answer import NotRanked, NotRankedCode
    from advisor.wording import not_ranked_lines

    outside = "not measured: outside the prior's shortlist"
    items = [
        NotRanked(family="gmm", code=NotRankedCode.NOT_RUN, detail=outside),
        NotRanked(family="kde", code=NotRankedCode.NOT_RUN, detail="not measured: it did not fit the time limit"),
        NotRanked(family="ebm", code=NotRankedCode.NOT_RUN, detail=outside),
    ]
    assert not_ranked_lines(items) == [
        f"not ranked gmm and ebm: {outside}",
        "not ranked kde: not measured: it did not fit the time limit",
    ]


def test_a_shortlist_of_one_names_the_families_raced_beside_it():
    from advisor.rules.answer import Shortlist
    from advisor.wording import shortlist_text

    found = Shortlist(
        code="shortlist",
        families=["gmm"],
        held=24,
        tables=25,
        fewest_tables=10,
        coverage=0.95,
        nearest=1.0,
        farthest=1.5,
        unranked=["my-plugin"],
    )
    assert shortlist_text(found).startswith(
        "the race measures the prior's shortlist: gmm (and my-plugin, which it does not rank). With each measured "
        "table left out, the prior's first family held"
    )
    found = found.model_copy(update={"unranked": [], "earlier": ["kde"], "left_out": ["flow", "vae"]})
    assert shortlist_text(found) == (
        "the race measures the prior's shortlist: gmm (and kde, which an earlier run on this file measured). With "
        "each measured table left out, the prior's first family held one of that table's winning families on 24 of "
        "25 tables; --every-candidate races flow and vae too"
    )
