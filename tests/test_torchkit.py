import copy
import math

import numpy as np
import pytest

from advisor.budgets import get_budget
from advisor.selection import holdout

torch = pytest.importorskip("torch")

from advisor.torchkit import (  # noqa: E402
    EMA,
    DivergenceError,
    MaskedLinear,
    Standardizer,
    StoppingSchedule,
    cosine_adam,
    count_parameters,
    forward_noise,
    holdout_pairs,
    made_masks,
    max_likelihood_report,
    minibatches,
    resolve_sampler,
    sampling_indices,
    setup_torch,
    train_loop,
    training_inputs,
)


def _budget(train_steps, batch_size):
    return get_budget("smoke").model_copy(update={"train_steps": train_steps, "batch_size": batch_size})


def _linear_regression_setup():
    setup_torch(0, "cpu")
    x = torch.randn(256, 2)
    y = x @ torch.tensor([[2.0], [-1.0]])
    model = torch.nn.Linear(2, 1)
    optimizer, schedule = cosine_adam(model.parameters(), lr=0.05, steps=300)

    def step(batch, _labels, _index):
        loss = ((model(batch[:, :2]) - batch[:, 2:]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        return {"loss": loss.item()}

    data = torch.cat([x, y], 1)
    return model, step, minibatches(data, None, 64, torch.Generator().manual_seed(0)), data


def test_train_loop_learns_and_reports():
    model, step, batches, data = _linear_regression_setup()
    result = train_loop(step, batches, 300)
    assert result.steps == 300 and result.last_losses["loss"] < 1e-3
    torch.testing.assert_close(model.weight.detach(), torch.tensor([[2.0, -1.0]]), atol=1e-2, rtol=0)


def test_nan_loss_raises_divergence_with_step():
    with pytest.raises(DivergenceError, match="diverged at step 3: loss=nan"):
        train_loop(lambda x, y, i: {"loss": math.nan if i == 3 else 1.0}, iter(lambda: (None, None), 0), 10)


def test_early_stopping_restores_best_weights():
    module = torch.nn.Linear(1, 1, bias=False)
    values = iter([5.0, 1.0, 3.0, 4.0, 6.0])

    def step(_x, _y, index):
        with torch.no_grad():
            module.weight.fill_(float(index))
        return {"loss": 0.0}

    result = train_loop(
        step,
        iter(lambda: (None, None), 0),
        100,
        validate=lambda: next(values),
        validate_every=10,
        patience=3,
        checkpoint=module,
    )
    assert result.stopped_early and result.best_step == 20 and result.steps == 50
    assert module.weight.item() == 19.0  # weights as they were at the best validation


def test_ema_tracks_weights():
    module = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        module.weight.fill_(0.0)
    ema = EMA(module, decay=0.5)
    with torch.no_grad():
        module.weight.fill_(1.0)
    ema.update(module)
    assert ema.module.weight.item() == pytest.approx(0.5)


def test_ema_update_is_bitwise_the_per_tensor_lerp():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 2))
    ema = EMA(module, decay=0.99)
    reference = copy.deepcopy(ema.module)
    for step in range(20):
        module(torch.randn(16, 3))  # moves the batch-norm statistics and its integer step counter
        with torch.no_grad():
            for parameter in module.parameters():
                parameter.add_(torch.randn_like(parameter))
        ema.decay = min(0.99, (1.0 + step) / (10.0 + step))
        ema.update(module)
        with torch.no_grad():  # the loop the EMA replaced: two state dicts, one lerp_ per tensor
            for averaged, current in zip(reference.state_dict().values(), module.state_dict().values(), strict=True):
                if averaged.dtype.is_floating_point:
                    averaged.lerp_(current, 1.0 - ema.decay)
                else:
                    averaged.copy_(current)
    for (name, got), expected in zip(ema.module.state_dict().items(), reference.state_dict().values(), strict=True):
        assert torch.equal(got, expected), name
    assert ema.module[1].num_batches_tracked.item() == 20


def test_ema_follows_another_module_of_the_same_architecture():
    first, second = torch.nn.Linear(1, 1, bias=False), torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        first.weight.fill_(0.0)
        second.weight.fill_(4.0)
    ema = EMA(first, decay=0.5)
    ema.update(second)
    assert ema.module.weight.item() == 2.0


def test_standardizer_change_of_variables():
    x = torch.randn(1000, 3) * torch.tensor([1.0, 2.0, 3.0]) + 5
    s = Standardizer(x)
    z = s.forward(x)
    torch.testing.assert_close(s.inverse(z), x)
    # log-density of N(mean, diag std^2) in x space = standard normal in z space + log|det|
    expected = torch.distributions.Normal(s.mean, s.std).log_prob(x).sum(-1)
    torch.testing.assert_close(Standardizer.gaussian_log_prob(z) + s.log_abs_det, expected, atol=1e-4, rtol=0)


def test_made_masks_are_autoregressive():
    masks = made_masks(4, 16, 2, 3)
    net = torch.nn.Sequential(
        MaskedLinear(masks[0]), torch.nn.Tanh(), MaskedLinear(masks[1]), torch.nn.Tanh(), MaskedLinear(masks[2])
    )
    x = torch.randn(1, 4, requires_grad=True)
    out = net(x).view(4, 3)
    for d in range(4):
        (grad,) = torch.autograd.grad(out[d].sum(), x, retain_graph=True)
        assert (grad[0, d:] == 0).all() and (grad[0, :d] != 0).all()


def test_minibatches_reproducible_and_cover_epoch():
    data = torch.arange(10.0)[:, None]
    a = minibatches(data, None, 5, torch.Generator().manual_seed(1))
    b = minibatches(data, None, 5, torch.Generator().manual_seed(1))
    first = [next(a)[0] for _ in range(2)]
    assert all(torch.equal(x, next(b)[0]) for x in first)
    assert sorted(torch.cat(first).ravel().tolist()) == list(range(10))


def test_label_context_and_marginal_log_prob():
    from advisor.torchkit import LabelPrior, label_context, marginal_log_prob

    prior = LabelPrior([3, 3, 3, 7])
    assert label_context(None, [3]) is None and label_context(prior, None) is None
    torch.testing.assert_close(label_context(prior, [7, 3]), torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="not seen in training"):
        label_context(prior, [5])
    # log p(x | y) = y-th column of a table: the marginal is log(0.75 e^a + 0.25 e^b)
    table = torch.tensor([[-1.0, -2.0], [-3.0, 0.5]])
    marginal = marginal_log_prob(lambda c: (table * c).sum(-1), prior, 2)
    expected = torch.logsumexp(table + torch.log(torch.tensor([0.75, 0.25])), dim=-1)
    torch.testing.assert_close(marginal, expected)
    torch.testing.assert_close(marginal_log_prob(lambda c: table[:, 0], None, 2), table[:, 0])


def test_fit_max_likelihood_finds_the_mle_and_keeps_the_best_weights():
    from advisor.torchkit import batched, fit_max_likelihood

    setup_torch(0, "cpu")
    x = torch.randn(2000, 1) * 0.5 + 3.0
    model = torch.nn.Linear(1, 1)  # only the bias matters: log N(x; bias, 0.5^2)

    def log_prob(v, _context):
        return torch.distributions.Normal(model.bias, 0.5).log_prob(v).sum(-1)

    result = fit_max_likelihood(
        model,
        log_prob,
        (x, None),
        (x[:200], None),
        _budget(400, 256),
        learning_rate=0.05,
        generator=torch.Generator().manual_seed(0),
        stopping=StoppingSchedule(every=50, patience=10),
    )
    assert result.steps == 400 and result.best_step is not None
    assert model.bias.item() == pytest.approx(x.mean().item(), abs=0.05)
    assert batched(log_prob, x, None, size=300).shape == (2000,)


def test_label_prior_indexes_values_and_draws_training_frequencies():
    from advisor.torchkit import LabelPrior

    prior = LabelPrior([5, 5, 5, 9, 2, 2, 5, 5])
    assert prior.num_classes == 3 and prior.values.tolist() == [2, 5, 9]
    assert prior.index(torch.tensor([9, 2, 5])).tolist() == [2, 0, 1]
    torch.testing.assert_close(prior.log_probs.exp(), torch.tensor([0.25, 0.625, 0.125]))
    draws = prior.draw(20_000, torch.Generator().manual_seed(0))
    assert torch.equal(draws, prior.draw(20_000, torch.Generator().manual_seed(0)))
    torch.testing.assert_close(torch.bincount(draws, minlength=3) / 20_000.0, prior.probs, atol=0.02, rtol=0)


def test_scaled_standardizer_keeps_densities_consistent():
    x = torch.randn(2000, 3) * torch.tensor([0.5, 3.0, 10.0]) + 4.0
    s = Standardizer(x, scale=2.0)
    z = s.forward(x)
    torch.testing.assert_close(z.std(0), torch.full((3,), 2.0), atol=1e-4, rtol=0)
    torch.testing.assert_close(s.inverse(z), x)
    # a N(0, 2^2) density in z space is the data's fitted Gaussian in x space
    expected = torch.distributions.Normal(x.mean(0), x.std(0)).log_prob(x).sum(-1)
    in_z = torch.distributions.Normal(0.0, 2.0).log_prob(z).sum(-1)
    torch.testing.assert_close(in_z + s.log_abs_det, expected, atol=1e-4, rtol=0)


def test_max_likelihood_stops_early_and_keeps_the_best_weights_on_a_tiny_dataset():
    from advisor.torchkit import fit_max_likelihood

    setup_torch(0, "cpu")
    # a 40-component mixture fit to 40 points: the held-out NLL bottoms out, then each component
    # shrinks onto one training point and the held-out NLL grows
    train, validation = torch.randn(40, 1), torch.randn(400, 1)
    model = torch.nn.ParameterDict(
        {"mean": torch.nn.Parameter(torch.randn(40)), "log_std": torch.nn.Parameter(torch.zeros(40))}
    )

    def log_prob(x, _context):
        components = torch.distributions.Normal(model["mean"], model["log_std"].exp()).log_prob(x)
        return torch.logsumexp(components, dim=-1) - math.log(40)

    result = fit_max_likelihood(
        model,
        log_prob,
        (train, None),
        (validation, None),
        _budget(5000, 40),
        learning_rate=3e-2,
        generator=torch.Generator().manual_seed(0),
    )
    assert result.stopped_early and result.steps < 5000
    assert result.steps - result.best_step >= 1_000  # patience: at least 1,000 steps (`stopping_schedule`)
    with torch.no_grad():
        assert -log_prob(validation, None).mean().item() == pytest.approx(result.best_validation, rel=1e-5)


def test_count_parameters_skips_masked_weights_and_counts_each_parameter_once():
    masks = made_masks(3, 8, 1, 2)
    made = torch.nn.Sequential(MaskedLinear(masks[0]), torch.nn.ReLU(), MaskedLinear(masks[1]))
    expected = int(masks[0].sum() + masks[1].sum()) + 8 + 6  # unmasked weights + biases
    assert count_parameters(made) == expected < sum(p.numel() for p in made.parameters())
    normalized = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(4, 5))
    plain = torch.nn.Linear(4, 5)
    assert count_parameters(normalized) == count_parameters(plain) == 25
    assert count_parameters(made, plain) == expected + 25


def test_holdout_pairs_hold_out_the_seeded_rows_and_keep_labels_with_their_rows():
    x = torch.arange(40.0)[:, None]
    labels = torch.arange(40) % 3
    (x_fit, y_fit), (x_val, y_val) = holdout_pairs(x, labels, 0.25, seed=7)
    fit_rows, validation_rows = holdout(np.arange(40), 0.25, 7)
    assert x_fit[:, 0].long().tolist() == fit_rows.tolist() and x_val[:, 0].long().tolist() == validation_rows.tolist()
    assert torch.equal(y_fit, x_fit[:, 0].long() % 3) and torch.equal(y_val, x_val[:, 0].long() % 3)
    assert holdout_pairs(x, None, 0.25, seed=7)[1][1] is None


def test_sampling_indices_take_the_labels_asked_for_or_draw_the_training_frequencies():
    from advisor.torchkit import LabelPrior

    prior = LabelPrior([4, 4, 9])
    generator = torch.Generator().manual_seed(3)
    assert sampling_indices(None, [4], 1, generator) is None  # an unconditional model
    assert sampling_indices(prior, np.array([9, 4]), 2, generator).tolist() == [1, 0]
    drawn = sampling_indices(prior, None, 50, torch.Generator().manual_seed(0))
    assert torch.equal(drawn, prior.draw(50, torch.Generator().manual_seed(0)))


def test_training_inputs_standardize_the_rows_and_index_the_labels():
    train = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]], dtype=np.float32)
    standardizer, z, prior, y = training_inputs(train, np.array([7, 2, 7]), torch.device("cpu"))
    torch.testing.assert_close(z, standardizer.forward(torch.as_tensor(train)))
    torch.testing.assert_close(z.std(0), torch.ones(2))
    assert prior.values.tolist() == [2, 7] and y.tolist() == [1, 0, 1]
    assert training_inputs(train, None, torch.device("cpu"))[2:] == (None, None)


def test_forward_noise_mixes_data_and_noise_by_the_cumulative_alphas():
    alphas_cumprod = torch.tensor([0.99, 0.5, 0.01])
    x0, eps = torch.ones(3, 2), torch.full((3, 2), -1.0)
    xt = forward_noise(x0, torch.tensor([0, 1, 2]), eps, alphas_cumprod)
    expected = alphas_cumprod.sqrt()[:, None] * x0 + (1 - alphas_cumprod).sqrt()[:, None] * eps
    torch.testing.assert_close(xt, expected)


def test_resolve_sampler_maps_default_and_rejects_unknown_names():
    offered = {"fast-10": 10, "slow-100": 100}
    assert resolve_sampler("default", offered, "fast-10") == "fast-10"
    assert resolve_sampler("slow-100", offered, "fast-10") == "slow-100"
    with pytest.raises(ValueError, match="unknown sampler 'medium'; this family offers \\['fast-10', 'slow-100'\\]"):
        resolve_sampler("medium", offered, "fast-10")


def test_max_likelihood_report_adds_the_kept_step_and_its_score():
    from advisor.torchkit import TrainResult

    result = TrainResult(steps=200, seconds=1.0, best_step=150, best_validation=1.25)
    report = max_likelihood_report(result, {"learning_rate": 0.003})
    assert report.steps == 200
    assert report.selected == {"learning_rate": 0.003, "best_step": 150, "best_validation_nll": 1.25}
    assert report.notes == "kept the weights of step 150 (best held-out NLL)"
