package io.prombeam.remotewrite;

import com.google.auto.value.AutoValue;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.FailurePolicy;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.model.WriteFailure;
import io.prombeam.model.WriteFailureCoder;
import io.prombeam.sink.BadRecords;
import io.prombeam.sink.ValidateSeriesFn;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Writes {@link TimeSeries} to a Prometheus remote-write receiver (Prometheus with
 * {@code --web.enable-remote-write-receiver}, VictoriaMetrics, Mimir, Cortex, Thanos Receive, ...).
 * Create with {@code PrometheusIO.remoteWrite()}.
 *
 * <p>Series are validated, pinned to one of {@link #shards()} shards by a hash of their labels,
 * batched per shard up to {@link #maxSamplesPerSend()} samples or {@link #batchSendDeadline()},
 * and sent as snappy-compressed protobuf, one request of a shard at a time. Failures (invalid
 * series, rejected or undeliverable requests) come out of {@link RemoteWriteResult#getFailures()},
 * or fail the pipeline under {@link FailurePolicy#FAIL_PIPELINE}.
 */
@AutoValue
public abstract class RemoteWrite extends PTransform<PCollection<TimeSeries>, RemoteWriteResult> {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MAX_SAMPLES_PER_SEND = 2000;
  public static final Duration DEFAULT_BATCH_SEND_DEADLINE = Duration.standardSeconds(5);
  public static final int DEFAULT_SHARDS = 4;
  public static final int DEFAULT_OUT_OF_ORDER_GUARD_SERIES = 100_000;

  public abstract HttpEndpoint endpoint();

  public abstract RetryPolicy retryPolicy();

  public abstract int maxSamplesPerSend();

  public abstract Duration batchSendDeadline();

  public abstract int shards();

  public abstract FailurePolicy failurePolicy();

  public abstract RemoteWriteProtocol protocol();

  public abstract int maxLabelValueLength();

  public abstract Duration maxFutureSkew();

  public abstract int outOfOrderGuardSeries();

  public abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder toBuilder();

  public static RemoteWrite create() {
    return new AutoValue_RemoteWrite.Builder()
        .setEndpoint(HttpEndpoint.create())
        .setRetryPolicy(RetryPolicy.defaults())
        .setMaxSamplesPerSend(DEFAULT_MAX_SAMPLES_PER_SEND)
        .setBatchSendDeadline(DEFAULT_BATCH_SEND_DEADLINE)
        .setShards(DEFAULT_SHARDS)
        .setFailurePolicy(FailurePolicy.OUTPUT)
        .setProtocol(RemoteWriteProtocol.V1)
        .setMaxLabelValueLength(Integer.MAX_VALUE)
        .setMaxFutureSkew(Duration.millis(SeriesValidator.DEFAULT_MAX_FUTURE_SKEW_MILLIS))
        .setOutOfOrderGuardSeries(DEFAULT_OUT_OF_ORDER_GUARD_SERIES)
        .build();
  }

  /** The receiver's URL, any path: {@code http://host:9090/api/v1/write}. */
  public RemoteWrite withUrl(String url) {
    return toBuilder().setEndpoint(endpoint().withUrl(url)).build();
  }

  public RemoteWrite withBasicAuth(String user, String password) {
    return toBuilder().setEndpoint(endpoint().withBasicAuth(user, password)).build();
  }

  public RemoteWrite withBearerToken(String token) {
    return toBuilder().setEndpoint(endpoint().withBearerToken(token)).build();
  }

  /** An extra header on every request, e.g. {@code X-Scope-OrgID} for a Mimir/Cortex tenant. */
  public RemoteWrite withHeader(String name, String value) {
    return toBuilder().setEndpoint(endpoint().withHeader(name, value)).build();
  }

  /** Trust the CA(s) in this PEM file instead of the JVM's trust store. */
  public RemoteWrite withTlsCaFile(String pemPath) {
    return toBuilder().setEndpoint(endpoint().withTlsCaFile(pemPath)).build();
  }

  /** Mutual TLS: client certificate PEM, and its PKCS#8 key PEM (null when in the same file). */
  public RemoteWrite withTlsClientCertificate(String certPemPath, @Nullable String keyPemPath) {
    return toBuilder().setEndpoint(endpoint().withTlsClientCertificate(certPemPath, keyPemPath)).build();
  }

  /** Timeout of one try (connect, write, read); Prometheus' {@code remote_timeout}. Default 30 s. */
  public RemoteWrite withTimeout(Duration timeout) {
    return toBuilder().setEndpoint(endpoint().withTimeout(timeout)).build();
  }

  /** Samples per request at most ({@code max_samples_per_send}). Default 2000. */
  public RemoteWrite withMaxSamplesPerSend(int n) {
    checkArgument(n > 0, "maxSamplesPerSend must be positive, got " + n);
    return toBuilder().setMaxSamplesPerSend(n).build();
  }

  /** Longest a sample waits in a shard's buffer ({@code batch_send_deadline}). Default 5 s. */
  public RemoteWrite withBatchSendDeadline(Duration d) {
    checkArgument(d != null && d.getMillis() > 0, "batchSendDeadline must be positive, got " + d);
    return toBuilder().setBatchSendDeadline(d).build();
  }

  /** First retry delay ({@code min_backoff}). Default 30 ms. */
  public RemoteWrite withMinBackoff(Duration d) {
    return toBuilder().setRetryPolicy(retryPolicy().withMinBackoff(d)).build();
  }

  /** Largest retry delay ({@code max_backoff}). Default 5 s. */
  public RemoteWrite withMaxBackoff(Duration d) {
    return toBuilder().setRetryPolicy(retryPolicy().withMaxBackoff(d)).build();
  }

  /** Retries of one request at most. Default unlimited, bounded by {@link #withMaxRetryDuration}. */
  public RemoteWrite withMaxRetries(int n) {
    return toBuilder().setRetryPolicy(retryPolicy().withMaxRetries(n)).build();
  }

  /** Wall time one request may spend in retries before its series fail. Default 10 min. */
  public RemoteWrite withMaxRetryDuration(Duration d) {
    return toBuilder().setRetryPolicy(retryPolicy().withMaxRetryDuration(d)).build();
  }

  /** Parallel senders ({@code min_shards} = {@code max_shards}). Default 4. */
  public RemoteWrite withShards(int n) {
    checkArgument(n > 0, "shards must be positive, got " + n);
    return toBuilder().setShards(n).build();
  }

  public RemoteWrite withFailurePolicy(FailurePolicy policy) {
    checkArgument(policy != null, "failurePolicy must not be null");
    return toBuilder().setFailurePolicy(policy).build();
  }

  /** Reject (as invalid) series with a label value longer than this. Default: no limit. */
  public RemoteWrite withMaxLabelValueLength(int chars) {
    checkArgument(chars > 0, "maxLabelValueLength must be positive, got " + chars);
    return toBuilder().setMaxLabelValueLength(chars).build();
  }

  /**
   * Reject (as {@code TIMESTAMP_TOO_FAR_IN_FUTURE}) series whose newest sample is more than this
   * ahead of the wall clock when validated. Default 10 minutes. Prometheus would store such a sample,
   * and its head would then refuse every current sample as out of bounds. {@code null} turns the
   * check off (for receivers that handle future samples themselves).
   */
  public RemoteWrite withMaxFutureSkew(@Nullable Duration skew) {
    checkArgument(skew == null || !skew.isShorterThan(Duration.ZERO), "maxFutureSkew must not be negative");
    return toBuilder().setMaxFutureSkew(skew == null ? Duration.millis(Long.MAX_VALUE) : skew).build();
  }

  /**
   * How many series (in all, split over the shards) remember the newest timestamp delivered
   * (default 100,000; 0 turns the check off). A sample not newer than that is reported as an {@code OUT_OF_ORDER} failure
   * instead of being sent: Prometheus would refuse it and the whole request with it. Turn it off
   * for receivers that accept out-of-order samples (VictoriaMetrics, Prometheus with an
   * out_of_order_time_window).
   */
  public RemoteWrite withOutOfOrderGuard(int series) {
    checkArgument(series >= 0, "outOfOrderGuard must be >= 0, got " + series);
    return toBuilder().setOutOfOrderGuardSeries(series).build();
  }

  /**
   * Also routes every failure, as a {@link BadRecord}, to Beam's dead-letter {@link
   * ErrorHandler} (as {@code KafkaIO.withBadRecordErrorHandler} does). The failure output is
   * still produced.
   */
  public RemoteWrite withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  @Override
  public RemoteWriteResult expand(PCollection<TimeSeries> input) {
    String name = getName();
    endpoint().validate(name);
    retryPolicy().validate(name);

    TupleTag<TimeSeries> validTag = new TupleTag<TimeSeries>() {};
    TupleTag<WriteFailure> invalidTag = new TupleTag<WriteFailure>() {};
    SeriesValidator validator = SeriesValidator.DEFAULT.maxFutureSkewMillis(maxFutureSkew().getMillis());
    if (maxLabelValueLength() != Integer.MAX_VALUE) {
      validator = validator.maxLabelValueLength(maxLabelValueLength());
    }
    PCollectionTuple validated =
        input
            // One buffer per shard, not per window: a series' samples from several windows must
            // still leave in order through the same queue. Failures come out globally windowed.
            .apply("GlobalWindow", Window.<TimeSeries>into(new GlobalWindows()))
            .apply(
            "Validate",
            ParDo.of(
                    new ValidateSeriesFn(
                        validator, failurePolicy(), validTag, invalidTag, name, "remote_write"))
                .withOutputTags(validTag, TupleTagList.of(invalidTag)));

    PCollection<KV<Integer, List<TimeSeries>>> batched =
        validated
            .get(validTag)
            .setCoder(TimeSeriesCoder.of())
            .apply("BatchPerShard", ParDo.of(new ShardBatchFn(shards(), batchingLimit(input))))
            .setCoder(KvCoder.of(VarIntCoder.of(), ListCoder.of(TimeSeriesCoder.of())));

    TupleTag<WriteSummary> successTag = new TupleTag<WriteSummary>() {};
    TupleTag<WriteFailure> sendFailureTag = new TupleTag<WriteFailure>() {};
    PCollectionTuple sent =
        batched.apply(
            "SendPerShard",
            ParDo.of(
                    new ShardWriterFn(
                        endpoint(),
                        retryPolicy(),
                        protocol(),
                        maxSamplesPerSend(),
                        batchSendDeadline(),
                        failurePolicy(),
                        successTag,
                        sendFailureTag,
                        name,
                        Math.max(outOfOrderGuardSeries() / shards(), outOfOrderGuardSeries() > 0 ? 1 : 0)))
                .withOutputTags(successTag, TupleTagList.of(sendFailureTag)));

    PCollection<WriteSummary> successes =
        sent.get(successTag).setCoder(SerializableCoder.of(WriteSummary.class));
    PCollection<WriteFailure> failures =
        PCollectionList.of(validated.get(invalidTag).setCoder(WriteFailureCoder.of()))
            .and(sent.get(sendFailureTag).setCoder(WriteFailureCoder.of()))
            .apply("Failures", Flatten.pCollections());
    if (badRecordErrorHandler() != null) {
      badRecordErrorHandler()
          .addErrorCollection(failures.apply("ToBadRecords", BadRecords.fromFailures()));
    }
    return new RemoteWriteResult(input.getPipeline(), successTag, successes, failures);
  }

  /**
   * Bounded input is gathered per bundle (throughput). Unbounded input is not: a streaming runner
   * may keep a bundle open for long (embedded Flink held one for the whole of a 12 s job), and a
   * sample must not wait for that — each series goes on at once and the shard writer's
   * {@code batchSendDeadline} alone bounds its wait.
   */
  private int batchingLimit(PCollection<TimeSeries> input) {
    return input.isBounded() == PCollection.IsBounded.BOUNDED ? maxSamplesPerSend() : 1;
  }

  /** A series' shard: a mixed hash of its labels, stable across JVMs and runs. */
  static int shardOf(TimeSeries ts, int shards) {
    int h = ts.labels().hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return Math.floorMod(h, shards);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    endpoint().populateDisplayData(builder);
    retryPolicy().populateDisplayData(builder);
    builder
        .add(DisplayData.item("protocol", protocol().name()).withLabel("Remote-write protocol"))
        .add(DisplayData.item("maxSamplesPerSend", maxSamplesPerSend()).withLabel("Max samples per send"))
        .add(DisplayData.item("batchSendDeadline", batchSendDeadline()).withLabel("Batch send deadline"))
        .add(DisplayData.item("shards", shards()).withLabel("Shards"))
        .add(DisplayData.item("outOfOrderGuard", outOfOrderGuardSeries()).withLabel("Out-of-order guard (series)"))
        .add(DisplayData.item("maxFutureSkew", maxFutureSkew()).withLabel("Max future skew"))
        .add(DisplayData.item("failurePolicy", failurePolicy().name()).withLabel("Failure policy"));
  }

  private static void checkArgument(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setEndpoint(HttpEndpoint e);

    abstract Builder setRetryPolicy(RetryPolicy p);

    abstract Builder setMaxSamplesPerSend(int n);

    abstract Builder setBatchSendDeadline(Duration d);

    abstract Builder setShards(int n);

    abstract Builder setFailurePolicy(FailurePolicy p);

    abstract Builder setProtocol(RemoteWriteProtocol p);

    abstract Builder setMaxLabelValueLength(int n);

    abstract Builder setMaxFutureSkew(Duration d);

    abstract Builder setOutOfOrderGuardSeries(int n);

    abstract Builder setBadRecordErrorHandler(@Nullable ErrorHandler<BadRecord, ?> h);

    abstract RemoteWrite build();
  }
}
