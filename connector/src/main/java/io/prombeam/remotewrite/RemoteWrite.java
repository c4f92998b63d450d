package io.prombeam.remotewrite;

import com.google.auto.value.AutoValue;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.HttpTransport;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.sink.BadRecords;
import io.prombeam.sink.FailurePolicy;
import io.prombeam.sink.ValidateSeriesFn;
import io.prombeam.sink.WriteFailure;
import io.prombeam.sink.WriteFailureCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
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
 * Writes {@link TimeSeries} to a Prometheus remote-write receiver (Prometheus with {@code
 * --web.enable-remote-write-receiver}, VictoriaMetrics, Mimir, Cortex, Thanos Receive, ...). Create
 * with {@code PrometheusIO.remoteWrite()}.
 *
 * <p>Input may come in any order, one element per sample or many samples per element: every series
 * reaches the receiver in timestamp order. Bounded input is merged whole per series first, then
 * validated, deduplicated and sent, up to {@link #shards()} requests in flight per worker.
 * Unbounded input is validated, pinned to one of {@link #shards()} shards by a hash of its labels,
 * and held in the shard's reorder buffer until the watermark passes it (at most {@link
 * #maxReorderDelay()}). Requests carry up to {@link #maxSamplesPerSend()} samples as
 * snappy-compressed protobuf. Failures (invalid series, conflicting repeats, rejected or
 * undeliverable requests) come out of {@link RemoteWriteResult#getFailures()}, or fail the pipeline
 * under {@link FailurePolicy#FAIL_PIPELINE}.
 */
@AutoValue
public abstract class RemoteWrite extends PTransform<PCollection<TimeSeries>, RemoteWriteResult>
    implements HttpTransport<RemoteWrite> {
  private static final long serialVersionUID = 1L;

  /** Samples per request at most, as Prometheus' {@code max_samples_per_send}. */
  public static final int DEFAULT_MAX_SAMPLES_PER_SEND = 2000;

  /** Longest wait to fill a request, as Prometheus' {@code batch_send_deadline}. */
  public static final Duration DEFAULT_BATCH_SEND_DEADLINE = Duration.standardSeconds(5);

  /** Requests in flight at most per worker (bounded input) or shards (unbounded). */
  public static final int DEFAULT_SHARDS = 4;

  /** Series whose newest sent timestamp is remembered, per sink and JVM. */
  public static final int DEFAULT_OUT_OF_ORDER_GUARD_SERIES = 100_000;

  /** Longest a sample of unbounded input waits for the watermark. */
  public static final Duration DEFAULT_MAX_REORDER_DELAY = Duration.standardSeconds(10);

  /** Samples a shard's reorder buffer holds at most. */
  public static final long DEFAULT_MAX_BUFFERED_SAMPLES_PER_SHARD = 2_500_000;

  /** Bounded input: the most samples of one series merged on one worker; 320 MB of samples. */
  public static final int DEFAULT_MAX_SAMPLES_PER_SERIES = 20_000_000;

  /** Default {@link #withMaxBytesPerSend}: 16 MiB, safely under Prometheus' 32 MiB. */
  public static final int DEFAULT_MAX_BYTES_PER_SEND = RemoteWriteClient.DEFAULT_MAX_BYTES_PER_SEND;

  @Override
  public abstract HttpEndpoint endpoint();

  @Override
  public abstract RetryPolicy retryPolicy();

  /** Samples per request at most; see {@link #withMaxSamplesPerSend}. */
  public abstract int maxSamplesPerSend();

  /** Longest wait to fill a request; see {@link #withBatchSendDeadline}. */
  public abstract Duration batchSendDeadline();

  /** Requests in flight per worker, or shards; see {@link #withShards}. */
  public abstract int shards();

  /** What happens to series not delivered. */
  public abstract FailurePolicy failurePolicy();

  /** The remote-write protocol version sent; see {@link #withProtocol}. */
  public abstract RemoteWriteProtocol protocol();

  /** Bytes of a request body at most, before compression; see {@link #withMaxBytesPerSend}. */
  public abstract int maxBytesPerSend();

  /** Longest label value accepted; see {@link #withMaxLabelValueLength}. */
  public abstract int maxLabelValueLength();

  /** How far in the future a sample may be; see {@link #withMaxFutureSkew}. */
  public abstract Duration maxFutureSkew();

  /** Series the out-of-order guard remembers; see {@link #withOutOfOrderGuard}. */
  public abstract int outOfOrderGuardSeries();

  /**
   * Unbounded input: the longest a sample waits for the watermark; see {@link
   * #withMaxReorderDelay}.
   */
  public abstract Duration maxReorderDelay();

  /**
   * Unbounded input: the reorder buffer's bound per shard; see {@link
   * #withMaxBufferedSamplesPerShard}.
   */
  public abstract long maxBufferedSamplesPerShard();

  /** Bounded input: the most samples of one series; see {@link #withMaxSamplesPerSeries}. */
  public abstract int maxSamplesPerSeries();

  /** Beam's dead-letter handler for failures, if set. */
  public abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder toBuilder();

  /** A sink with the defaults; prefer {@code PrometheusIO.remoteWrite()}. */
  public static RemoteWrite create() {
    return new AutoValue_RemoteWrite.Builder()
        .setEndpoint(HttpEndpoint.create())
        .setRetryPolicy(RetryPolicy.forSinks())
        .setMaxSamplesPerSend(DEFAULT_MAX_SAMPLES_PER_SEND)
        .setBatchSendDeadline(DEFAULT_BATCH_SEND_DEADLINE)
        .setShards(DEFAULT_SHARDS)
        .setFailurePolicy(FailurePolicy.OUTPUT)
        .setProtocol(RemoteWriteProtocol.V1)
        .setMaxBytesPerSend(DEFAULT_MAX_BYTES_PER_SEND)
        .setMaxLabelValueLength(0)
        .setMaxFutureSkew(Duration.millis(SeriesValidator.DEFAULT_MAX_FUTURE_SKEW_MILLIS))
        .setOutOfOrderGuardSeries(DEFAULT_OUT_OF_ORDER_GUARD_SERIES)
        .setMaxReorderDelay(DEFAULT_MAX_REORDER_DELAY)
        .setMaxBufferedSamplesPerShard(DEFAULT_MAX_BUFFERED_SAMPLES_PER_SHARD)
        .setMaxSamplesPerSeries(DEFAULT_MAX_SAMPLES_PER_SERIES)
        .build();
  }

  @Override
  public RemoteWrite withEndpoint(HttpEndpoint endpoint) {
    return toBuilder().setEndpoint(endpoint).build();
  }

  @Override
  public RemoteWrite withRetryPolicy(RetryPolicy policy) {
    return toBuilder().setRetryPolicy(policy).build();
  }

  /**
   * The protocol to send (default {@link RemoteWriteProtocol#V1}, which every receiver takes):
   * {@link RemoteWriteProtocol#V2} for receivers known to speak remote-write 2.0 (smaller requests,
   * metadata on every series), or {@link RemoteWriteProtocol#V2_WITH_V1_FALLBACK} to try 2.0 and
   * fall back to 1.0 for an endpoint that refuses it.
   */
  public RemoteWrite withProtocol(RemoteWriteProtocol protocol) {
    checkArgument(protocol != null, "protocol must not be null");
    return toBuilder().setProtocol(protocol).build();
  }

  /**
   * Bytes of a request body at most, before compression (default 16 MiB; Prometheus 3.5+ refuses
   * bodies over 32 MiB). A request is cut by samples ({@link #withMaxSamplesPerSend}) or by this,
   * whichever comes first; a request over it is sent as several, split between series, and a single
   * series between its samples, in time order.
   */
  public RemoteWrite withMaxBytesPerSend(int bytes) {
    checkArgument(bytes > 0, "maxBytesPerSend must be positive, got " + bytes);
    return toBuilder().setMaxBytesPerSend(bytes).build();
  }

  /** Samples per request at most ({@code max_samples_per_send}). Default 2000. */
  public RemoteWrite withMaxSamplesPerSend(int n) {
    checkArgument(n > 0, "maxSamplesPerSend must be positive, got " + n);
    return toBuilder().setMaxSamplesPerSend(n).build();
  }

  /**
   * Longest a sample waits in a shard's buffer ({@code batch_send_deadline}) when unbounded input
   * is sent in arrival order ({@code withMaxReorderDelay(Duration.ZERO)}). Default 5 s.
   */
  public RemoteWrite withBatchSendDeadline(Duration d) {
    checkArgument(d != null && d.getMillis() > 0, "batchSendDeadline must be positive, got " + d);
    return toBuilder().setBatchSendDeadline(d).build();
  }

  /**
   * Parallel senders ({@code min_shards} = {@code max_shards}): requests in flight per worker for
   * bounded input, shards (each one request at a time) for unbounded input. Default 4.
   */
  public RemoteWrite withShards(int n) {
    checkArgument(n > 0, "shards must be positive, got " + n);
    return toBuilder().setShards(n).build();
  }

  /** Failure output (default) or failing the pipeline, for series not delivered. */
  public RemoteWrite withFailurePolicy(FailurePolicy policy) {
    checkArgument(policy != null, "failurePolicy must not be null");
    return toBuilder().setFailurePolicy(policy).build();
  }

  /**
   * Reject (as invalid) series with a label value longer than this. Default 0: no limit (0 turns a
   * limit off everywhere, as in Prometheus' {@code label_value_length_limit}).
   */
  public RemoteWrite withMaxLabelValueLength(int chars) {
    checkArgument(chars >= 0, "maxLabelValueLength must not be negative, got " + chars);
    return toBuilder().setMaxLabelValueLength(chars).build();
  }

  /**
   * Reject (as {@code TIMESTAMP_TOO_FAR_IN_FUTURE}) series whose newest sample is more than this
   * ahead of the wall clock when validated. Default 10 minutes. Prometheus would store such a
   * sample, and its head would then refuse every current sample as out of bounds. {@link
   * Duration#ZERO} turns the check off (for receivers that handle future samples themselves), as 0
   * turns off every limit of the sink.
   */
  public RemoteWrite withMaxFutureSkew(Duration skew) {
    checkArgument(
        skew != null && !skew.isShorterThan(Duration.ZERO), "maxFutureSkew must not be negative");
    return toBuilder().setMaxFutureSkew(skew).build();
  }

  /**
   * Unbounded input only (bounded input is merged whole per series and needs no guard): how many
   * series (in all, split over the shards) remember the newest timestamp delivered (default
   * 100,000; 0 turns the check off). A sample not newer than that is reported as an {@code
   * OUT_OF_ORDER} failure instead of being sent: Prometheus would refuse it and the whole request
   * with it. Turn it off for receivers that accept out-of-order samples (VictoriaMetrics,
   * Prometheus with an out_of_order_time_window).
   */
  public RemoteWrite withOutOfOrderGuard(int series) {
    checkArgument(series >= 0, "outOfOrderGuard must be >= 0, got " + series);
    return toBuilder().setOutOfOrderGuardSeries(series).build();
  }

  /**
   * Unbounded input only: how long a sample may wait in its shard's reorder buffer for the input
   * watermark to pass its timestamp (default 10 s: the longest a stalled watermark, such as {@code
   * PeriodicImpulse}'s on Flink in Beam 2.62, delays a sample). Samples are released in timestamp
   * order as the watermark passes them, so samples of a series that arrive out of order from
   * several upstream splits are all sent, in order; this bounds the wait when the watermark stalls.
   * {@link Duration#ZERO} turns the buffer off: samples are sent in arrival order, batched by
   * {@link #withBatchSendDeadline}, which suits input already in order per series.
   */
  public RemoteWrite withMaxReorderDelay(Duration delay) {
    checkArgument(
        delay != null && !delay.isShorterThan(Duration.ZERO),
        "maxReorderDelay must not be negative, got " + delay);
    return toBuilder().setMaxReorderDelay(delay).build();
  }

  /**
   * Unbounded input only: samples one shard's reorder buffer holds at most (default 2,500,000).
   * When a shard reaches it, everything it holds is released at once, in timestamp order; a sample
   * of a series arriving later but older than what was then sent becomes an {@code OUT_OF_ORDER}
   * failure. Counted in {@code remote_write_reorder_buffer_overflows}.
   */
  public RemoteWrite withMaxBufferedSamplesPerShard(long samples) {
    checkArgument(samples > 0, "maxBufferedSamplesPerShard must be positive, got " + samples);
    return toBuilder().setMaxBufferedSamplesPerShard(samples).build();
  }

  /**
   * Bounded input only: the most samples one series may have (default 20,000,000; 0: no limit, the
   * worker's memory is then the limit). Bounded input is merged whole per series on one worker, 16
   * bytes a sample, before it is sent in order; a series past this bound stops the pipeline with an
   * error naming it, instead of exhausting the worker's memory. Split such a series in time before
   * the sink (one pipeline run per day, say, oldest first), or raise the bound for workers with the
   * memory for it.
   */
  public RemoteWrite withMaxSamplesPerSeries(int samples) {
    checkArgument(samples >= 0, "maxSamplesPerSeries must not be negative, got " + samples);
    return toBuilder().setMaxSamplesPerSeries(samples).build();
  }

  /**
   * Also routes every failure, as a {@link BadRecord}, to Beam's dead-letter {@link ErrorHandler}
   * (as {@code KafkaIO.withBadRecordErrorHandler} does). The failure output is still produced.
   */
  public RemoteWrite withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  @Override
  public RemoteWriteResult expand(PCollection<TimeSeries> input) {
    String name = getName();
    endpoint().validate(name);
    retryPolicy().validate(name);

    SeriesValidator validator =
        SeriesValidator.DEFAULT.maxFutureSkewMillis(
            maxFutureSkew().getMillis() == 0 ? Long.MAX_VALUE : maxFutureSkew().getMillis());
    if (maxLabelValueLength() != 0) {
      validator = validator.maxLabelValueLength(maxLabelValueLength());
    }
    // One buffer per shard, not per window: a series' samples from several windows must still
    // leave in order through the same queue. Failures come out globally windowed. (No step when
    // the input is globally windowed already: on Flink streaming every step copies each element.)
    PCollection<TimeSeries> global =
        input.getWindowingStrategy().getWindowFn() instanceof GlobalWindows
            ? input
            : input.apply("GlobalWindow", Window.<TimeSeries>into(new GlobalWindows()));
    TupleTag<WriteSummary> successTag = new TupleTag<WriteSummary>() {};
    TupleTag<WriteFailure> failureTag = new TupleTag<WriteFailure>() {};
    PCollectionList<WriteFailure> failureParts;
    PCollectionTuple sent;
    if (input.isBounded() == PCollection.IsBounded.BOUNDED) {
      sent = sendBounded(global, validator, successTag, failureTag, name);
      failureParts = PCollectionList.of(sent.get(failureTag).setCoder(WriteFailureCoder.of()));
    } else {
      TupleTag<KV<Integer, TimeSeries>> validTag = new TupleTag<KV<Integer, TimeSeries>>() {};
      TupleTag<WriteFailure> invalidTag = new TupleTag<WriteFailure>() {};
      int shards = shards();
      PCollectionTuple validated =
          global.apply(
              "ValidateAndShard",
              ParDo.of(
                      new ValidateSeriesFn<>(
                          validator,
                          failurePolicy(),
                          validTag,
                          ts -> KV.of(shardOf(ts, shards), ts),
                          invalidTag,
                          name,
                          "remote_write"))
                  .withOutputTags(validTag, TupleTagList.of(invalidTag)));
      PCollection<KV<Integer, TimeSeries>> valid =
          validated.get(validTag).setCoder(KvCoder.of(VarIntCoder.of(), TimeSeriesCoder.of()));
      sent = sendUnbounded(valid, successTag, failureTag, name);
      failureParts =
          PCollectionList.of(validated.get(invalidTag).setCoder(WriteFailureCoder.of()))
              .and(sent.get(failureTag).setCoder(WriteFailureCoder.of()));
    }
    PCollection<WriteSummary> successes =
        sent.get(successTag).setCoder(SerializableCoder.of(WriteSummary.class));
    PCollection<WriteFailure> failures = failureParts.apply("Failures", Flatten.pCollections());
    if (badRecordErrorHandler() != null) {
      badRecordErrorHandler()
          .addErrorCollection(failures.apply("ToBadRecords", BadRecords.fromFailures()));
    }
    return new RemoteWriteResult(input.getPipeline(), successTag, successes, failures);
  }

  /**
   * Bounded input: every series is merged whole first (all its samples, from wherever they come, in
   * one element: {@link PreMergeFn} within bundles, then {@link MergeSeriesFn}, which runners lift
   * before the shuffle, or on Flink batch {@link MergeGroupedRunsFn}), then validated, sorted,
   * deduplicated and sent straight from there. A complete series needs no per-series order across
   * workers, hence no second shuffle to shard writers. Validation comes after the merge: once per
   * series instead of once per sample, and without a multi-output step before the shuffle, which
   * would break Flink's operator chain and serialize every sample once more. On a streaming runner
   * the cross-worker merge is {@link HoldUntilInputEndsFn} instead of the combine, which such a
   * runner would keep in keyed state and update per element.
   */
  private PCollectionTuple sendBounded(
      PCollection<TimeSeries> input,
      SeriesValidator validator,
      TupleTag<WriteSummary> successTag,
      TupleTag<WriteFailure> failureTag,
      String name) {
    PipelineOptions options = input.getPipeline().getOptions();
    boolean direct = isDirectRunner(options);
    boolean streaming = !direct && options.as(StreamingOptions.class).isStreaming();
    int buckets =
        direct
            ? MergeSeriesFn.DIRECT_RUNNER_BUCKETS
            : streaming ? MergeSeriesFn.HELD_BUCKETS : MergeSeriesFn.PER_SERIES;
    int maxSamples = maxSamplesPerSeries() == 0 ? Integer.MAX_VALUE : maxSamplesPerSeries();
    KvCoder<Integer, SeriesRuns> runsCoder =
        KvCoder.of(VarIntCoder.of(), SeriesRuns.Coder.INSTANCE);
    PCollection<KV<Integer, SeriesRuns>> partial =
        input.apply("MergeInBundle", ParDo.of(new PreMergeFn(buckets))).setCoder(runsCoder);
    PCollection<KV<Integer, SeriesRuns>> merged =
        streaming
            ? partial.apply(
                "MergeWhenInputEnds", ParDo.of(new HoldUntilInputEndsFn(maxSamples, name)))
            : isRunner(options, "FlinkRunner")
                ? partial
                    .apply("GroupPerSeries", GroupByKey.create())
                    .apply("MergePerSeries", ParDo.of(new MergeGroupedRunsFn(maxSamples, name)))
                : partial.apply(
                    "MergePerSeries", Combine.perKey(new MergeSeriesFn(maxSamples, name)));
    return merged
        .setCoder(runsCoder)
        .apply(
            "SendSeries",
            ParDo.of(
                    new CompleteSeriesWriterFn(
                        endpoint(),
                        retryPolicy(),
                        protocol(),
                        maxBytesPerSend(),
                        maxSamplesPerSend(),
                        shards(),
                        failurePolicy(),
                        successTag,
                        failureTag,
                        name,
                        validator,
                        direct))
                .withOutputTags(successTag, TupleTagList.of(failureTag)));
  }

  /**
   * The DirectRunner hands every key of a shuffle its own bundle and holds the whole input of a
   * shuffle in memory; merge keys are then buckets of series (see {@link MergeSeriesFn}).
   */
  private static boolean isDirectRunner(PipelineOptions options) {
    return isRunner(options, "DirectRunner");
  }

  private static boolean isRunner(PipelineOptions options, String simpleName) {
    return options.getRunner() != null && options.getRunner().getSimpleName().equals(simpleName);
  }

  /**
   * Unbounded input: series are pinned to shards and each shard's stateful writer orders and sends
   * them (see {@link ShardWriterFn}).
   */
  private PCollectionTuple sendUnbounded(
      PCollection<KV<Integer, TimeSeries>> valid,
      TupleTag<WriteSummary> successTag,
      TupleTag<WriteFailure> failureTag,
      String name) {
    // Not gathered per bundle: a streaming runner may keep a bundle open for long (embedded Flink
    // held one for the whole of a 12 s job), and a sample must not wait for that.
    return valid.apply(
        "SendPerShard",
        ParDo.of(
                new ShardWriterFn(
                    endpoint(),
                    retryPolicy(),
                    protocol(),
                    maxBytesPerSend(),
                    maxSamplesPerSend(),
                    batchSendDeadline(),
                    maxReorderDelay(),
                    maxBufferedSamplesPerShard(),
                    failurePolicy(),
                    successTag,
                    failureTag,
                    name,
                    Math.max(
                        outOfOrderGuardSeries() / shards(), outOfOrderGuardSeries() > 0 ? 1 : 0)))
            .withOutputTags(successTag, TupleTagList.of(failureTag)));
  }

  /** A series' shard: a mixed hash of its labels, stable across JVMs and runs. */
  static int shardOf(TimeSeries ts, int shards) {
    return mix(ts.labels().hashCode(), shards);
  }

  /** {@code hash} mixed and reduced to {@code [0, n)}. */
  static int mix(int hash, int n) {
    int h = hash;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return Math.floorMod(h, n);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    endpoint().populateDisplayData(builder);
    retryPolicy().populateDisplayData(builder);
    builder
        .add(DisplayData.item("protocol", protocol().name()).withLabel("Remote-write protocol"))
        .add(
            DisplayData.item("maxBytesPerSend", maxBytesPerSend())
                .withLabel("Max bytes per request"))
        .add(
            DisplayData.item("maxSamplesPerSend", maxSamplesPerSend())
                .withLabel("Max samples per send"))
        .add(
            DisplayData.item("batchSendDeadline", batchSendDeadline())
                .withLabel("Batch send deadline"))
        .add(DisplayData.item("shards", shards()).withLabel("Shards"))
        .add(
            DisplayData.item("outOfOrderGuard", outOfOrderGuardSeries())
                .withLabel("Out-of-order guard (series)"))
        .add(
            DisplayData.item("maxReorderDelay", maxReorderDelay())
                .withLabel("Max reorder delay (unbounded input)"))
        .add(
            DisplayData.item("maxBufferedSamplesPerShard", maxBufferedSamplesPerShard())
                .withLabel("Reorder buffer bound per shard"))
        .add(
            DisplayData.item("maxSamplesPerSeries", maxSamplesPerSeries())
                .withLabel("Most samples of one series (bounded input)"))
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

    abstract Builder setMaxBytesPerSend(int bytes);

    abstract Builder setMaxLabelValueLength(int n);

    abstract Builder setMaxFutureSkew(Duration d);

    abstract Builder setOutOfOrderGuardSeries(int n);

    abstract Builder setMaxReorderDelay(Duration d);

    abstract Builder setMaxBufferedSamplesPerShard(long n);

    abstract Builder setMaxSamplesPerSeries(int n);

    abstract Builder setBadRecordErrorHandler(@Nullable ErrorHandler<BadRecord, ?> h);

    abstract RemoteWrite build();
  }
}
