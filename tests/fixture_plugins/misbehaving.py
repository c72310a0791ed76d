"""Single-file test plugin: families that fail in each way the harness must survive."""

import os
import time

import numpy as np

from advisor import Family, FamilyCard, FitReport, hookimpl


def _card(name: str) -> FamilyCard:
    return FamilyCard(
        name=name, title=f"test family {name}", likelihood="none", latent="none", training="mle", sampling="one-shot"
    )


class _Misbehaving(Family):
    card = _card("misbehaving-base")

    def fit(self, train, labels, budget, seed, device):
        self.dims = train.shape[1]
        return FitReport(steps=1)

    def sample(self, n, labels=None, sampler="default"):
        return np.zeros((n, self.dims), dtype=np.float32)


class ZerosFamily(_Misbehaving):
    """Valid but useless: always samples the origin, has no likelihood."""

    card = _card("zeros")


class RaisingFamily(_Misbehaving):
    card = _card("raising")

    def fit(self, train, labels, budget, seed, device):
        raise RuntimeError("boom in fit")


class NaNFamily(_Misbehaving):
    card = _card("nan-sampler")

    def sample(self, n, labels=None, sampler="default"):
        return np.full((n, self.dims), np.nan)


class WrongShapeFamily(_Misbehaving):
    card = _card("wrong-shape")

    def sample(self, n, labels=None, sampler="default"):
        return np.zeros((n, self.dims + 1))


class NoReportFamily(_Misbehaving):
    card = _card("no-report")

    def fit(self, train, labels, budget, seed, device):
        return None


class HangingFamily(_Misbehaving):
    card = _card("hanging")

    def fit(self, train, labels, budget, seed, device):
        time.sleep(3600)


class ExitingFamily(_Misbehaving):
    card = _card("exiting")

    def fit(self, train, labels, budget, seed, device):
        os._exit(3)


@hookimpl
def advisor_families(register):
    for family in (
        HangingFamily,
        ExitingFamily,
        ZerosFamily,
        RaisingFamily,
        NaNFamily,
        WrongShapeFamily,
        NoReportFamily,
    ):
        register(family)
