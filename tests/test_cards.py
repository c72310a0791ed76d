import pytest
from pydantic import ValidationError

from advisor import FamilyCard, Need
from advisor.budgets import get_budget
from advisor.errors import InputError

VALID = dict(name="flow-ar", title="t", likelihood="exact", latent="explicit", training="mle", sampling="sequential")


def test_valid_card_is_frozen_and_has_defaults():
    card = FamilyCard(**VALID)
    assert card.samplers == ("default",)
    assert card.data_kinds == {"2d", "tabular"}
    with pytest.raises(ValidationError):
        card.name = "other"


@pytest.mark.parametrize(
    "field, value",
    [
        ("likelihood", "maybe"),
        ("sampling", "teleport"),
        ("name", "Bad Name"),
        ("samplers", ()),
        ("data_kinds", {"audio"}),
        ("samplers", ("a", "a")),
    ],
)
def test_invalid_card_names_the_field(field, value):
    with pytest.raises(ValidationError) as info:
        FamilyCard(**{**VALID, field: value})
    assert field in str(info.value)


def test_unknown_card_field_rejected():
    with pytest.raises(ValidationError, match="colour"):
        FamilyCard(**VALID, colour="red")


def test_need_requires_known_card_fields():
    Need(name="exact-likelihood", title="t", requires={"likelihood": ("exact",)}, objectives=("test_nll",))
    with pytest.raises(ValidationError, match="unknown card fields"):
        Need(name="x", title="t", requires={"speed": ("fast",)})


def test_unknown_budget_lists_valid_names():
    with pytest.raises(InputError, match="Did you mean 'quick'.*full, quick, smoke"):
        get_budget("quik")
