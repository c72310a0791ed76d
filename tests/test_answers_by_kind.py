"""Answers by kind of data: per-kind winners are printed first, the pooled ranking when they agree or
when asked, and every answer names the scope of its evidence; sampling cost is fitted against dims."""

from advisor.store import open_store
from advisor.store.models import DatasetRow, MetricRow, Run
from tests.stores import build_store


def _with_image_kind(path):
    """The known store plus an image dataset on which the order of flow and autoregressive flips."""
    with open_store(path) as store, store.session() as session:
        session.add(DatasetRow(name="pixels", plugin="test", card={"name": "pixels", "kind": "image", "dims": 64}))
        session.get(DatasetRow, "ring8").card = {"name": "ring8", "kind": "2d", "dims": 2}
        session.get(DatasetRow, "grid25").card = {"name": "grid25", "kind": "2d", "dims": 2}
        session.flush()
        for family, nll, throughput in (("flow", 1.0, 2e5), ("autoregressive", 1.5, 50.0)):
            for seed in range(3):
                run = Run(
                    family=family,
                    sampler="default",
                    dataset="pixels",
                    seed=seed,
                    budget="quick",
                    status="COMPLETE",
                    device="cpu",
                )
                run.metrics = [
                    MetricRow(name="test_nll", value=nll + seed * 0.01, unit="nats/dim", higher_is_better=False),
                    MetricRow(name="sample_throughput", value=throughput, unit="samples/s", higher_is_better=True),
                ]
                session.add(run)
    return path


def test_per_kind_winners_differ_and_are_printed_per_kind(cli, tmp_path):
    db = _with_image_kind(build_store(tmp_path / "known.db"))
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", db)
    assert answer["by_kind"]["2d"]["winners"] == ["autoregressive"]
    assert answer["by_kind"]["image"]["winners"] == ["flow"]
    assert answer["kinds_agree"] is False
    out = cli("recommend", "--need", "exact-likelihood", "--db", db).stdout
    assert "Per kind of data (the kinds disagree)" in out
    assert "2d, 2 dims: autoregressive" in out and "image, 64 dims: flow" in out
    assert "Pooled over every kind" not in out and "On image data" in out
    pooled = cli("recommend", "--need", "exact-likelihood", "--pooled", "--db", db).stdout
    assert "Pooled over every kind of data" in pooled
    narrowed = cli.json("recommend", "--need", "exact-likelihood", "--data-kind", "image", "--db", db)
    assert narrowed["by_kind"] is None and narrowed["winners"] == ["flow"]


def test_the_scope_line_names_kinds_dims_and_budget(cli, tmp_path):
    db = _with_image_kind(build_store(tmp_path / "known.db"))
    answer = cli.json("recommend", "--need", "exact-likelihood", "--db", db)
    scope = answer["scope"]
    assert scope["kinds"] == {
        "2d": {"datasets": ["grid25", "ring8"], "dims": [2, 2]},
        "image": {"datasets": ["pixels"], "dims": [64, 64]},
    }
    assert scope["budget"] == "quick" and scope["steps"] == [10_000, 10_000] and scope["devices"] == ["cpu"]
    out = cli("recommend", "--need", "exact-likelihood", "--data-kind", "image", "--db", db).stdout
    assert (
        "evidence: image (64 dims: pixels); 20,000 training rows; budget quick (10,000 steps, batch 512); device cpu"
        in out
    )


def test_sampling_cost_is_fitted_against_dimension(cli, tmp_path):
    db = _with_image_kind(build_store(tmp_path / "known.db"))
    answer = cli.json("recommend", "--need", "fast-sampling", "--db", db)
    scaling = {row["candidate"]: row for row in answer["scaling"]}
    # autoregressive: 2,000 samples/s at 2 dims, 50 at 64: log10(50/2000) / log10(32) = -1.06
    assert abs(scaling["autoregressive"]["slope"] + 1.064) < 0.01 and scaling["autoregressive"]["dims"] == [2, 64]
    out = cli("recommend", "--need", "fast-sampling", "--pooled", "--db", db).stdout
    assert "autoregressive (sequential sampling): samples/s scale as dims^-1.06" in out


def test_the_table_judges_sampling_speed_on_the_highest_dimensional_kind(cli, tmp_path):
    db = _with_image_kind(build_store(tmp_path / "known.db"))
    table = cli.json("table", "--db", db)
    assert table["speed_judged_on"] == "image"
    speed = table["families"]["autoregressive"]["sampling speed"]
    assert speed["grade"] == "very slow" and speed["verdict"] == "agrees"
    assert speed["basis"] == "50 samples/s on image data (4e+03x slower than the fastest)"


def test_a_peer_is_placed_among_our_families(cli, tmp_path):
    from advisor.store.models import FamilyRow

    db = build_store(tmp_path / "known.db")
    with open_store(db) as store, store.session() as session:
        row = session.get(FamilyRow, "gan")
        row.card = {**row.card, "peer_of": "SDV"}
    answer = cli.json("recommend", "--need", "fast-sampling", "--db", db)
    assert answer["peers"] == [{"candidate": "gan", "library": "SDV", "rank": 1, "of": 3}]
    assert (
        "gan, which users of SDV would pick, ranks 1st of 3"
        in cli("recommend", "--need", "fast-sampling", "--db", db).stdout
    )


def test_the_planner_forecasts_sequential_sampling_at_the_users_dims(tmp_path):
    from advisor.plugins import load_registry
    from advisor.runner.planning import sampling_forecast

    db = _with_image_kind(build_store(tmp_path / "known.db"))
    registry = load_registry()
    with open_store(db, readonly=True) as store:
        [line] = sampling_forecast(store, registry.metric_specs(), registry.family_cards(), 640, "quick")
    # 2,000 samples/s at 2 dims, 50 at 64: dims^-1.06, so about 4 at 640 dims
    assert line == (
        "autoregressive: samples/s scale as dims^-1.06 across the stored datasets (2-64 dims); "
        "at your 640 dims expect about 4 samples/s"
    )


def test_the_scope_gives_the_steps_and_batches_the_runs_recorded(cli, tmp_path):
    from tests.stores import complete_run

    db = build_store(tmp_path / "known.db")  # its runs record no budget: the budget's own steps are said
    assert cli.json("recommend", "--need", "exact-likelihood", "--db", db)["scope"]["steps"] == [10_000, 10_000]
    with open_store(db) as store, store.session() as session:
        for name, steps, batch in (("small", 4_058, 35), ("large", 7_813, 512)):  # trained sized to their rows
            session.add(DatasetRow(name=name, plugin="test", card={"name": name, "kind": "tabular"}))
            session.flush()
            for seed in range(3):
                run = complete_run("flow", "default", name, seed, {"test_nll": 1.0})
                run.provenance = {"budget": {"name": "quick", "train_steps": steps, "batch_size": batch}}
                session.add(run)
    scope = cli.json("recommend", "--need", "exact-likelihood", "--data-kind", "tabular", "--db", db)["scope"]
    assert (scope["steps"], scope["batch"]) == ([4_058, 7_813], [35, 512])
