package io.prombeam.aggregate;

/**
 * A summary per window and label set: the chosen quantiles of the window's values, with running
 * {@code _sum} and {@code _count}. Create with {@link PrometheusAggregate#summary}.
 *
 * @param <T> the elements aggregated
 */
public final class SummaryAggregate<T> extends MetricAggregate<T, SummaryAggregate<T>> {
  private static final long serialVersionUID = 1L;

  SummaryAggregate(AggregateSpec<T> spec) {
    super(spec);
  }

  @Override
  SummaryAggregate<T> with(AggregateSpec<T> spec) {
    return new SummaryAggregate<>(spec);
  }

  /**
   * Quantiles are exact while a window (per label set) holds at most {@code n} values, default
   * 10,000 (80 KB kept per window and label set): the nearest-rank quantile, the same on every
   * runner. Above it a t-digest (compression 200) takes over, within the rank errors
   * docs/aggregation.md states. 0 keeps every value, however many (memory grows with the window).
   */
  public SummaryAggregate<T> withMaxExactValues(int n) {
    return with(spec.withMaxExactValues(n));
  }
}
