"""The advisor's conformance kit on the three SDV peers (smoke budget, wine: their one data kind is tabular)."""

from advisor.testing import parametrize_with_checks
from advisor_sdv import SDVCTGAN, SDVTVAE, SDVCopula


@parametrize_with_checks([SDVCopula, SDVCTGAN, SDVTVAE])
def test_sdv_family(family, check):
    check(family)
