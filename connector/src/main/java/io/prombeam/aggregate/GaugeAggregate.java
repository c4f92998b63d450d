package io.prombeam.aggregate;

/**
 * A gauge per window and label set: the window's values reduced to one by a {@link GaugeReduction}.
 * Create with {@link PrometheusAggregate#gauge}.
 *
 * @param <T> the elements aggregated
 */
public final class GaugeAggregate<T> extends MetricAggregate<T, GaugeAggregate<T>> {
  private static final long serialVersionUID = 1L;

  GaugeAggregate(AggregateSpec<T> spec) {
    super(spec);
  }

  @Override
  GaugeAggregate<T> with(AggregateSpec<T> spec) {
    return new GaugeAggregate<>(spec);
  }

  /** How a window's values reduce to one (default {@link GaugeReduction#LAST}). */
  public GaugeAggregate<T> withReduction(GaugeReduction reduction) {
    return with(spec.withReduction(reduction));
  }
}
