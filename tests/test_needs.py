"""Needs are typed and checked: booleans are booleans, set-valued fields match by membership, a need
without objectives only filters, and a misspelt objective is refused when the plugins load."""

import textwrap

import pytest
from pydantic import ValidationError

from advisor.cards import FamilyCard, Need
from advisor.plugins import load_registry
from tests.stores import build_store

CARD = FamilyCard(
    name="f", title="f", likelihood="exact", latent="none", training="mle", sampling="one-shot", conditioning=True
).model_dump(mode="json")


def test_a_boolean_requirement_takes_booleans_only():
    need = Need(name="conditional", title="c", requires={"conditioning": (True,)})
    assert need.unmet(CARD) == []
    assert need.unmet({**CARD, "conditioning": False}) == ["conditioning is False; conditional needs True"]
    assert need.unmet({**CARD, "conditioning": "True"})  # a string is not the boolean
    with pytest.raises(ValidationError, match="a boolean, True or False, not a string"):
        Need(name="conditional", title="c", requires={"conditioning": ("True",)})


def test_a_set_valued_requirement_matches_by_membership():
    need = Need(name="images", title="i", requires={"data_kinds": ("image",)})
    assert need.unmet({**CARD, "data_kinds": ["2d", "image"]}) == []
    assert need.unmet(CARD) == ["data_kinds is ['2d', 'tabular']; images needs one of image"]
    with pytest.raises(ValidationError, match="'video', which is not a valid data_kinds"):
        Need(name="videos", title="v", requires={"data_kinds": ("video",)})
    with pytest.raises(ValidationError, match="accepts no value"):
        Need(name="nothing", title="n", requires={"likelihood": ()})


def test_a_need_must_require_or_rank_something():
    with pytest.raises(ValidationError, match="must require a card property or name an objective"):
        Need(name="empty", title="e")


def _plugin(tmp_path, body):
    (tmp_path / "needs_plugin.py").write_text(
        textwrap.dedent(
            """
            from advisor import Need, hookimpl

            @hookimpl
            def advisor_needs(register):
            """
        )
        + textwrap.indent(textwrap.dedent(body), "    ")
    )
    return tmp_path


def test_a_misspelt_objective_breaks_its_plugin_naming_need_and_field(tmp_path):
    body = """
    register(Need(name="sharp", title="s", objectives=("c2sst",)))
    register(Need(name="fine", title="f", objectives=("c2st",)))
    """
    registry = load_registry(_plugin(tmp_path, body))
    [broken] = [b for b in registry.broken if b.name == "needs_plugin"]
    assert "need 'sharp': objectives names 'c2sst'" in broken.error and "did you mean 'c2st'" in broken.error
    assert "sharp" not in registry.needs and "fine" not in registry.needs  # a plugin is all or nothing
    assert "exact-likelihood" in registry.needs  # the others still load


def test_a_need_without_objectives_filters_and_ranks_no_one(cli, tmp_path):
    body = """
    register(Need(name="has-likelihood", title="h", requires={"likelihood": ("exact",)}))
    register(Need(name="conditional", title="c", requires={"conditioning": (True,)}))
    """
    plugins = _plugin(tmp_path, body)
    db = build_store(tmp_path / "known.db")
    answer = cli.json("--plugins-dir", plugins, "recommend", "--need", "has-likelihood", "--db", db)
    assert [r["family"] for r in answer["ranked"]] == ["autoregressive", "flow"]  # by name: nothing ranked them
    assert answer["winners"] == ["autoregressive", "flow"] and all(r["score"] == 1.0 for r in answer["ranked"])
    assert [c["code"] for c in answer["caveats"]] == ["filters-only"]
    out = cli("--plugins-dir", plugins, "recommend", "--need", "has-likelihood", "--db", db).stdout
    assert "filters only, ranks no one" in out
    # combined with a need that ranks, it only removes families
    answer = cli.json(
        "--plugins-dir", plugins, "recommend", "--need", "conditional", "--need", "fast-sampling", "--db", db
    )
    assert [r["family"] for r in answer["ranked"]] == ["gan", "autoregressive"]
    assert {"family": "flow", "reasons": ["conditioning is False; conditional needs True"]} in answer["eliminated"]
