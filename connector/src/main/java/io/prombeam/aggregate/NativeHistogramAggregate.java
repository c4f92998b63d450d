package io.prombeam.aggregate;

import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * A native histogram per label set: one series whose samples are Prometheus native histograms
 * (exponential buckets, a zero bucket, count and sum), cumulative across windows like a counter
 * unless {@link #withPerWindowCounts()}. Resolution starts at {@link #withSchema} and is halved
 * whenever more than {@link #withMaxBuckets} buckets are in use, as Prometheus' client libraries
 * do. Create with {@link PrometheusAggregate#nativeHistogram}; Prometheus needs {@code
 * --enable-feature=native-histograms} (2.40 to 2.x) to take them.
 *
 * @param <T> the elements aggregated
 */
public final class NativeHistogramAggregate<T>
    extends MetricAggregate<T, NativeHistogramAggregate<T>> {
  private static final long serialVersionUID = 1L;

  NativeHistogramAggregate(AggregateSpec<T> spec) {
    super(spec);
  }

  @Override
  NativeHistogramAggregate<T> with(AggregateSpec<T> spec) {
    return new NativeHistogramAggregate<>(spec);
  }

  /**
   * The starting schema, −4..8: bucket boundaries grow by a factor 2^(2^-schema). Default 3 (about
   * 9% per bucket, client_golang's default).
   */
  public NativeHistogramAggregate<T> withSchema(int schema) {
    return with(spec.withNativeSchema(schema));
  }

  /**
   * The most buckets (positive and negative together) one histogram may use; above it the schema
   * drops by one, merging neighbouring buckets, until they fit. Default 160.
   */
  public NativeHistogramAggregate<T> withMaxBuckets(int n) {
    return with(spec.withNativeMaxBuckets(n));
  }

  /** Observations with an absolute value at most this go to the zero bucket. Default 2^-128. */
  public NativeHistogramAggregate<T> withZeroThreshold(double threshold) {
    return with(spec.withNativeZeroThreshold(threshold));
  }

  /**
   * Keeps exemplars: per window and bucket, the latest observation whose element has a trace id
   * ({@code traceId} returns null or empty for none) becomes an exemplar {@code {trace_id="..."}}
   * with its value and event time, sent with that window's histogram. Lets a dashboard jump from a
   * slow bucket to a trace of it.
   */
  public NativeHistogramAggregate<T> withExemplars(SerializableFunction<T, String> traceId) {
    return with(spec.withExemplars(traceId));
  }

  /** Bucket counts per window (a gauge histogram) instead of cumulative across windows. */
  public NativeHistogramAggregate<T> withPerWindowCounts() {
    return with(spec.withPerWindowCounts());
  }
}
