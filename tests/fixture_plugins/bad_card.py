"""Single-file test plugin whose card is invalid: the error must name the field."""

from advisor import Family, FamilyCard


class BadCard(Family):
    card = FamilyCard(
        name="bad-card", title="bad", likelihood="maybe", latent="none", training="mle", sampling="one-shot"
    )
