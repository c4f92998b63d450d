package io.prombeam.source;

import com.google.auto.value.AutoValue;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.HttpTransport;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.remotewrite.proto.PrometheusRemote;
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
 * Reads raw samples through Prometheus' remote-read API ({@code /api/v1/read}, SAMPLES response:
 * snappy-compressed protobuf decoded by the same codec as the remote-write sink). The range is
 * split into spans read in parallel; each series comes out once per span that holds samples of it.
 * Create with {@code PrometheusIO.remoteRead()}.
 */
@AutoValue
public abstract class RemoteRead extends PTransform<PBegin, PCollection<TimeSeries>>
    implements HttpTransport<RemoteRead> {
  private static final long serialVersionUID = 1L;

  @Override
  public abstract HttpEndpoint endpoint();

  @Override
  public abstract RetryPolicy retryPolicy();

  /** The series selector read; see {@link #withSelector}. */
  public abstract @Nullable String selector();

  /** Start of the time range read (inclusive). */
  public abstract @Nullable Instant start();

  /** End of the time range read (inclusive). */
  public abstract @Nullable Instant end();

  /** Longest time span of one request. */
  public abstract Duration span();

  /** Whether responses are asked for as streamed XOR chunks. */
  public abstract boolean streamedChunks();

  abstract Builder toBuilder();

  /** A read with the defaults; prefer {@code PrometheusIO.remoteRead()}. */
  public static RemoteRead create() {
    return new AutoValue_RemoteRead.Builder()
        .setEndpoint(HttpEndpoint.create())
        .setRetryPolicy(RetryPolicy.forReads())
        .setSpan(Duration.standardHours(1))
        .setStreamedChunks(false)
        .build();
  }

  @Override
  public RemoteRead withEndpoint(HttpEndpoint endpoint) {
    return toBuilder().setEndpoint(endpoint).build();
  }

  @Override
  public RemoteRead withRetryPolicy(RetryPolicy policy) {
    return toBuilder().setRetryPolicy(policy).build();
  }

  /** A series selector: {@code metric}, {@code {job="x",__name__=~"http_.*"}}, ... */
  public RemoteRead withSelector(String selector) {
    SelectorParser.parse(selector); // fail fast on a bad selector
    return toBuilder().setSelector(selector).build();
  }

  /** The time range to read, both ends inclusive (required). */
  public RemoteRead withTimeRange(Instant start, Instant end) {
    return toBuilder().setStart(start).setEnd(end).build();
  }

  /** Longest time span of one request (default 1 h): the unit of parallelism and of memory. */
  public RemoteRead withSpan(Duration span) {
    if (span == null || span.getMillis() <= 0) {
      throw new IllegalArgumentException("span must be positive, got " + span);
    }
    return toBuilder().setSpan(span).build();
  }

  /**
   * Ask for the STREAMED_XOR_CHUNKS response (Prometheus' own compressed chunks, framed and
   * checksummed; less work for the server and smaller on the wire) instead of SAMPLES. Native
   * histograms come back either way from recent Prometheus; before 2.4x (Debian's 2.42 among them)
   * only the chunks carry them (the HISTOGRAM encoding, decoded here).
   */
  public RemoteRead withStreamedChunks() {
    return toBuilder().setStreamedChunks(true).build();
  }

  @Override
  public PCollection<TimeSeries> expand(PBegin input) {
    endpoint().validate(getName());
    if (selector() == null) {
      throw new IllegalArgumentException(getName() + ": withSelector(...) is required");
    }
    if (start() == null || end() == null || end().isBefore(start())) {
      throw new IllegalArgumentException(
          getName() + ": withTimeRange(start, end) with start <= end is required");
    }
    List<TimeRanges.Range> ranges =
        TimeRanges.bySpan(start().getMillis(), end().getMillis(), span().getMillis());
    return input
        .apply("Spans", Create.of(ranges).withCoder(SerializableCoder.of(TimeRanges.Range.class)))
        .apply("Spread", Reshuffle.viaRandomKey())
        .apply(
            "Read", ParDo.of(new ReadFn(endpoint(), retryPolicy(), selector(), streamedChunks())))
        .setCoder(TimeSeriesCoder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder b) {
    super.populateDisplayData(b);
    endpoint().populateDisplayData(b);
    b.addIfNotNull(DisplayData.item("matchers", selector()).withLabel("Series selector"))
        .addIfNotNull(
            DisplayData.item("start", start() == null ? null : start().toString())
                .withLabel("Start"))
        .addIfNotNull(
            DisplayData.item("end", end() == null ? null : end().toString()).withLabel("End"))
        .add(DisplayData.item("span", span()).withLabel("Span per request"))
        .add(
            DisplayData.item("responseType", streamedChunks() ? "STREAMED_XOR_CHUNKS" : "SAMPLES")
                .withLabel("Response type"));
  }

  static final class ReadFn extends DoFn<TimeRanges.Range, TimeSeries> {
    private final HttpEndpoint endpoint;
    private final RetryPolicy retryPolicy;
    private final String selector;
    private final boolean streamed;
    private final Counter series = PrombeamCounter.REMOTE_READ_SERIES.counter();
    private final Counter samples = PrombeamCounter.REMOTE_READ_SAMPLES.counter();
    private transient PrometheusApiClient client;
    private transient List<PrometheusRemote.LabelMatcher> matchers;

    ReadFn(HttpEndpoint endpoint, RetryPolicy retryPolicy, String selector, boolean streamed) {
      this.endpoint = endpoint;
      this.retryPolicy = retryPolicy;
      this.selector = selector;
      this.streamed = streamed;
    }

    @Setup
    public void setup() {
      client = new PrometheusApiClient(endpoint, retryPolicy);
      matchers = SelectorParser.parse(selector);
    }

    @ProcessElement
    public void process(@Element TimeRanges.Range r, OutputReceiver<TimeSeries> out)
        throws IOException, InterruptedException {
      for (TimeSeries ts : client.remoteRead(matchers, r.startMillis, r.endMillis, streamed)) {
        if (ts.sampleCount() == 0) {
          continue;
        }
        series.inc();
        samples.inc(ts.sampleCount());
        out.outputWithTimestamp(ts, new Instant(ts.timestamp(ts.sampleCount() - 1)));
      }
    }

    @Override
    @SuppressWarnings("deprecation") // elements are stamped with their data's time
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE / 4);
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setEndpoint(HttpEndpoint e);

    abstract Builder setRetryPolicy(RetryPolicy p);

    abstract Builder setSelector(@Nullable String s);

    abstract Builder setStart(@Nullable Instant i);

    abstract Builder setEnd(@Nullable Instant i);

    abstract Builder setSpan(Duration d);

    abstract Builder setStreamedChunks(boolean b);

    abstract RemoteRead build();
  }
}
