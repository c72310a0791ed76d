"""Cost metrics: what the harness measured while training and sampling."""

from __future__ import annotations

from advisor.cards import MetricSpec
from advisor.metrics.base import MeasuredMetric

__all__ = ["TrainSeconds", "SampleThroughput", "SampleLatency", "NFE", "Params", "PeakMemory"]


class TrainSeconds(MeasuredMetric):
    """Wall-clock seconds spent in `fit`, model selection included."""

    spec = MetricSpec(
        name="train_seconds",
        title="Training time",
        unit="s",
        higher_is_better=False,
        scale="log",
        bounds=(0.0, None),
        category="cost",
        description="Wall-clock seconds of fit(), including the family's own model selection.",
    )


class SampleThroughput(MeasuredMetric):
    """Samples per second when sampling one batch of the budget's throughput batch size."""

    spec = MetricSpec(
        name="sample_throughput",
        title="Sampling throughput",
        unit="samples/s",
        higher_is_better=True,
        scale="log",
        bounds=(0.0, None),
        category="cost",
        description="Samples per second at the budget's throughput batch (1,000).",
    )


class SampleLatency(MeasuredMetric):
    """Milliseconds to draw a single sample."""

    spec = MetricSpec(
        name="sample_latency_ms",
        title="Single-sample latency",
        unit="ms",
        higher_is_better=False,
        scale="log",
        bounds=(0.0, None),
        category="cost",
        description="Wall-clock milliseconds of sample(1), best of several calls.",
    )


class NFE(MeasuredMetric):
    """Network evaluations per sample, as the family reports for the sampler (steps x passes)."""

    spec = MetricSpec(
        name="nfe",
        title="Network evaluations per sample",
        unit="evals",
        higher_is_better=False,
        scale="log",
        bounds=(0.0, None),
        category="cost",
        description="Forward passes of the model's network needed for one sample with this sampler.",
    )


class Params(MeasuredMetric):
    """Number of fitted parameters (stored values for nonparametric models)."""

    spec = MetricSpec(
        name="params",
        title="Parameters",
        unit="params",
        higher_is_better=False,
        scale="log",
        bounds=(0.0, None),
        category="cost",
        description="Fitted parameters; a KDE counts the training values it stores.",
    )


class PeakMemory(MeasuredMetric):
    """Peak memory growth during fit and sampling: CUDA peak allocation on GPU, RSS growth on CPU."""

    spec = MetricSpec(
        name="peak_memory_mb",
        title="Peak memory",
        unit="MB",
        higher_is_better=False,
        scale="log",
        bounds=(0.0, None),
        category="cost",
        description="Peak growth over the run's start: torch.cuda.max_memory_allocated on GPU, RSS on CPU.",
    )
