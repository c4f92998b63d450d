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
}
