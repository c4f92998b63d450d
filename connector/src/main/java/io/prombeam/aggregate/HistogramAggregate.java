package io.prombeam.aggregate;

/**
 * A classic histogram per label set: {@code _bucket{le}}, {@code _sum} and {@code _count},
 * cumulative across windows like a counter unless {@link #withPerWindowCounts()}. Create with
 * {@link PrometheusAggregate#histogram}.
 *
 * @param <T> the elements aggregated
 */
public final class HistogramAggregate<T> extends MetricAggregate<T, HistogramAggregate<T>> {
  private static final long serialVersionUID = 1L;

  HistogramAggregate(AggregateSpec<T> spec) {
    super(spec);
  }

  @Override
  HistogramAggregate<T> with(AggregateSpec<T> spec) {
    return new HistogramAggregate<>(spec);
  }

  /** Bucket counts per window (a gaugehistogram) instead of cumulative across windows. */
  public HistogramAggregate<T> withPerWindowCounts() {
    return with(spec.withPerWindowCounts());
  }
}
