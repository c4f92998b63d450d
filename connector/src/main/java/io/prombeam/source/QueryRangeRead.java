package io.prombeam.source;

import com.google.auto.value.AutoValue;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.HttpTransport;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Reads the result of a PromQL query as {@link TimeSeries} (bounded): a range query over [start,
 * end] at a step, split into sub-ranges of at most {@link #maxPointsPerRequest()} steps read in
 * parallel, or an instant query. Create with {@code PrometheusIO.read()}.
 *
 * <p>A series whose range is split comes out as several elements (one per sub-range) with the same
 * labels. Samples are stamped (Beam element timestamp) with their last sample's time.
 */
@AutoValue
public abstract class QueryRangeRead extends PTransform<PBegin, PCollection<TimeSeries>>
    implements HttpTransport<QueryRangeRead> {
  private static final long serialVersionUID = 1L;

  /** Prometheus refuses more than 11,000 points per series; stay clear of it. */
  public static final int DEFAULT_MAX_POINTS = 10_000;

  @Override
  public abstract HttpEndpoint endpoint();

  @Override
  public abstract RetryPolicy retryPolicy();

  /** The PromQL expression. */
  public abstract @Nullable String query();

  /** Start of the range query. */
  public abstract @Nullable Instant start();

  /** End of the range query. */
  public abstract @Nullable Instant end();

  /** Resolution of the range query. */
  public abstract @Nullable Duration step();

  /** Time of an instant query, instead of a range. */
  public abstract @Nullable Instant time();

  /** Points per series per request at most; longer ranges are split. */
  public abstract int maxPointsPerRequest();

  abstract Builder toBuilder();

  /** A read with the defaults; prefer {@code PrometheusIO.read()}. */
  public static QueryRangeRead create() {
    return new AutoValue_QueryRangeRead.Builder()
        .setEndpoint(HttpEndpoint.create())
        .setRetryPolicy(RetryPolicy.forReads())
        .setMaxPointsPerRequest(DEFAULT_MAX_POINTS)
        .build();
  }

  @Override
  public QueryRangeRead withEndpoint(HttpEndpoint endpoint) {
    return toBuilder().setEndpoint(endpoint).build();
  }

  @Override
  public QueryRangeRead withRetryPolicy(RetryPolicy policy) {
    return toBuilder().setRetryPolicy(policy).build();
  }

  /** The PromQL expression (required). */
  public QueryRangeRead withQuery(String promql) {
    return toBuilder().setQuery(promql).build();
  }

  /**
   * A range query over [start, end], both inclusive, as {@code remoteRead().withTimeRange} takes
   * it; give its resolution with {@link #withStep}.
   */
  public QueryRangeRead withTimeRange(Instant start, Instant end) {
    return toBuilder().setStart(start).setEnd(end).setTime(null).build();
  }

  /** The resolution of a range query (required with {@link #withTimeRange}). */
  public QueryRangeRead withStep(Duration step) {
    if (step == null || step.getMillis() <= 0) {
      throw new IllegalArgumentException("step must be positive, got " + step);
    }
    return toBuilder().setStep(step).build();
  }

  /** An instant query evaluated at {@code time}, instead of a range query. */
  public QueryRangeRead withEvaluationTime(Instant time) {
    return toBuilder().setTime(time).setStart(null).setEnd(null).setStep(null).build();
  }

  /** Steps per sub-range request (default 10,000; Prometheus allows 11,000). */
  public QueryRangeRead withMaxPointsPerRequest(int n) {
    if (n < 1 || n > 11_000) {
      throw new IllegalArgumentException("maxPointsPerRequest must be in [1, 11000], got " + n);
    }
    return toBuilder().setMaxPointsPerRequest(n).build();
  }

  @Override
  public PCollection<TimeSeries> expand(PBegin input) {
    endpoint().validate(getName());
    if (query() == null || query().isEmpty()) {
      throw new IllegalArgumentException(getName() + ": withQuery(...) is required");
    }
    List<TimeRanges.Range> ranges;
    if (time() != null) {
      ranges = List.of(new TimeRanges.Range(time().getMillis(), time().getMillis()));
    } else {
      if (start() == null || end() == null || step() == null) {
        throw new IllegalArgumentException(
            getName()
                + ": withTimeRange(start, end) and withStep(step), or withEvaluationTime(t), is"
                + " required");
      }
      if (end().isBefore(start()) || step().getMillis() <= 0) {
        throw new IllegalArgumentException(getName() + ": need start <= end and a positive step");
      }
      ranges =
          TimeRanges.forQueryRange(
              start().getMillis(), end().getMillis(), step().getMillis(), maxPointsPerRequest());
    }
    return input
        .apply("Ranges", Create.of(ranges).withCoder(SerializableCoder.of(TimeRanges.Range.class)))
        .apply("Spread", Reshuffle.viaRandomKey())
        .apply(
            "Query",
            ParDo.of(
                new QueryFn(
                    endpoint(), retryPolicy(), query(), time() != null ? 0 : step().getMillis())))
        .setCoder(TimeSeriesCoder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder b) {
    super.populateDisplayData(b);
    endpoint().populateDisplayData(b);
    b.addIfNotNull(DisplayData.item("query", query()).withLabel("PromQL"))
        .addIfNotNull(
            DisplayData.item("start", start() == null ? null : start().toString())
                .withLabel("Start"))
        .addIfNotNull(
            DisplayData.item("end", end() == null ? null : end().toString()).withLabel("End"))
        .addIfNotNull(DisplayData.item("step", step()).withLabel("Step"))
        .addIfNotNull(
            DisplayData.item("time", time() == null ? null : time().toString())
                .withLabel("Instant"));
  }

  static final class QueryFn extends DoFn<TimeRanges.Range, TimeSeries> {
    private final HttpEndpoint endpoint;
    private final RetryPolicy retryPolicy;
    private final String query;
    private final long stepMillis;
    private final Counter series = PrombeamCounter.QUERY_SERIES_READ.counter();
    private final Counter samples = PrombeamCounter.QUERY_SAMPLES_READ.counter();
    private transient PrometheusApiClient client;

    QueryFn(HttpEndpoint endpoint, RetryPolicy retryPolicy, String query, long stepMillis) {
      this.endpoint = endpoint;
      this.retryPolicy = retryPolicy;
      this.query = query;
      this.stepMillis = stepMillis;
    }

    @Setup
    public void setup() {
      client = new PrometheusApiClient(endpoint, retryPolicy);
    }

    @ProcessElement
    public void process(@Element TimeRanges.Range r, OutputReceiver<TimeSeries> out)
        throws IOException, InterruptedException {
      List<TimeSeries> result =
          stepMillis == 0
              ? client.query(query, r.startMillis)
              : client.queryRange(query, r.startMillis, r.endMillis, stepMillis);
      for (TimeSeries ts : result) {
        series.inc();
        samples.inc(ts.sampleCount());
        out.outputWithTimestamp(ts, new Instant(ts.timestamp(ts.sampleCount() - 1)));
      }
    }

    @Override
    @SuppressWarnings("deprecation") // elements are stamped with their data's time, before "now"
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE / 4);
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setEndpoint(HttpEndpoint e);

    abstract Builder setRetryPolicy(RetryPolicy p);

    abstract Builder setQuery(@Nullable String q);

    abstract Builder setStart(@Nullable Instant i);

    abstract Builder setEnd(@Nullable Instant i);

    abstract Builder setStep(@Nullable Duration d);

    abstract Builder setTime(@Nullable Instant t);

    abstract Builder setMaxPointsPerRequest(int n);

    abstract QueryRangeRead build();
  }
}
