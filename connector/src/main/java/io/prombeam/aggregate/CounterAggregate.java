package io.prombeam.aggregate;

/**
 * A counter per label set: the running total of {@code withValue} (default 1 per element) across
 * windows, kept in Beam state, monotonic as PromQL's {@code rate()} needs. Create with {@link
 * PrometheusAggregate#counter}.
 *
 * @param <T> the elements aggregated
 */
public final class CounterAggregate<T> extends MetricAggregate<T, CounterAggregate<T>> {
  private static final long serialVersionUID = 1L;

  CounterAggregate(AggregateSpec<T> spec) {
    super(spec);
  }

  @Override
  CounterAggregate<T> with(AggregateSpec<T> spec) {
    return new CounterAggregate<>(spec);
  }

  /** Also emit {@code <name without _total>_created} (Unix seconds), as client_java does. */
  public CounterAggregate<T> withCreatedSeries() {
    return with(spec.withCreatedSeries());
  }
}
