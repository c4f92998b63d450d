package io.prombeam.aggregate;

import java.util.Arrays;

/**
 * Turns any {@code PCollection<T>} into Prometheus counters, gauges, histograms and summaries, per
 * window and label set, following Prometheus' rules (see docs/aggregation.md):
 *
 * <pre>{@code
 * PCollection<TimeSeries> series = requests
 *     .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))))
 *     .apply(PrometheusAggregate.<Request>counter("http_requests_total")
 *         .withLabels(r -> Map.of("route", r.route(), "status", "" + r.status())));
 * series.apply(PrometheusIO.remoteWrite().withUrl(...));
 * }</pre>
 */
public final class PrometheusAggregate {
  private PrometheusAggregate() {}

  /**
   * A counter: per label set, the running total of {@code withValue} (default 1 per element) across
   * windows, kept in Beam state: monotonic, as PromQL's rate() and increase() need.
   */
  public static <T> CounterAggregate<T> counter(String name) {
    return new CounterAggregate<>(AggregateSpec.create(name, Kind.COUNTER));
  }

  /** A gauge: per window and label set, the values reduced by {@link GaugeReduction}. */
  public static <T> GaugeAggregate<T> gauge(String name) {
    return new GaugeAggregate<>(AggregateSpec.create(name, Kind.GAUGE));
  }

  /**
   * A histogram with these upper bounds ({@code +Inf} is added): {@code _bucket{le}}, {@code _sum}
   * and {@code _count}, cumulative across windows (like counters) unless {@code
   * withPerWindowCounts()}.
   */
  public static <T> HistogramAggregate<T> histogram(String name, double... buckets) {
    AggregateSpec<T> a = AggregateSpec.create(name, Kind.HISTOGRAM);
    return new HistogramAggregate<>(a.toBuilder().setBuckets(Buckets.check(name, buckets)).build());
  }

  /**
   * A native histogram: per label set, one series of Prometheus native histograms (sparse
   * exponential buckets of schema 3, at most 160 buckets, both adjustable), cumulative across
   * windows unless {@code withPerWindowCounts()}. Needs no bucket bounds: resolution is relative,
   * so any range of values is measured to within a few percent.
   */
  public static <T> NativeHistogramAggregate<T> nativeHistogram(String name) {
    return new NativeHistogramAggregate<>(AggregateSpec.create(name, Kind.NATIVE_HISTOGRAM));
  }

  /**
   * A summary: per window, the given quantiles (exact up to 10,000 values, a t-digest above), and
   * running {@code _sum} and {@code _count}.
   */
  public static <T> SummaryAggregate<T> summary(String name, double... quantiles) {
    if (quantiles.length == 0) {
      throw new IllegalArgumentException("summary " + name + " needs at least one quantile");
    }
    double[] q = quantiles.clone();
    Arrays.sort(q);
    for (double x : q) {
      if (!(x >= 0 && x <= 1)) {
        throw new IllegalArgumentException(
            "summary " + name + ": quantiles must lie in [0, 1], got " + x);
      }
    }
    AggregateSpec<T> a = AggregateSpec.create(name, Kind.SUMMARY);
    return new SummaryAggregate<>(a.toBuilder().setQuantiles(q).build());
  }

  /**
   * Histogram bounds {@code start, start + width, ...}, {@code count} of them, as client_java's.
   */
  public static double[] linearBuckets(double start, double width, int count) {
    return Buckets.linear(start, width, count);
  }

  /**
   * Histogram bounds {@code start, start * factor, ...}, {@code count} of them, as client_java's.
   */
  public static double[] exponentialBuckets(double start, double factor, int count) {
    return Buckets.exponential(start, factor, count);
  }
}
