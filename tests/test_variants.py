"""Family settings from the command line: a variant is measured, stored and ranked as its own candidate."""

import pytest

from advisor.errors import InputError
from advisor.plugins import load_registry
from advisor.variants import apply_family_options, parse_variant, variant_name


def test_variant_names_round_trip():
    name = variant_name("gmm", {"component_grid": [1, 2], "reg": 1e-6})
    assert name == "gmm@component_grid=[1,2];reg=1e-06"
    assert parse_variant(name) == ("gmm", {"component_grid": [1, 2], "reg": 1e-06})
    assert apply_family_options(["gmm", "kde"], ["gmm.component_grid=[1,2]"]) == ["gmm@component_grid=[1,2]", "kde"]
    with pytest.raises(InputError, match="expected FAMILY.KEY=VALUE"):
        apply_family_options(["gmm"], ["component_grid=[1]"])


def test_a_variant_constructs_with_its_options_and_refuses_unknown_ones():
    registry = load_registry()
    variant = registry.family("gmm@component_grid=[1,2]")
    assert variant().component_grid == [1, 2] and variant.card.name == "gmm@component_grid=[1,2]"
    assert registry.family_plugin("gmm@component_grid=[1,2]").name == "gmm"
    with pytest.raises(InputError, match="gmm has no setting 'nope'; its settings: component_grid"):
        registry.family("gmm@nope=1")


def test_bench_stores_the_variant_beside_the_default(cli, db):
    runs = cli.json(
        "bench",
        "-f",
        "gmm",
        "--family-option",
        "gmm.component_grid=[1]",
        "-d",
        "ring8",
        "--seeds",
        "1",
        "--budget",
        "smoke",
        "--db",
        db,
    )
    [run] = runs
    assert run["family"] == "gmm@component_grid=[1]" and run["status"] == "COMPLETE"
    shown = cli.json("results", "show", str(run["id"]), "--db", db)
    assert shown["provenance"]["family_options"] == {"component_grid": [1]}
    assert shown["fit"]["selected"]["n_components"] == 1
