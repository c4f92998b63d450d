package io.prombeam.pushgateway;

import com.google.auto.value.AutoValue;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.HttpTransport;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.Labels;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.sink.BadRecords;
import io.prombeam.sink.FailurePolicy;
import io.prombeam.sink.ValidateSeriesFn;
import io.prombeam.sink.WriteFailure;
import io.prombeam.sink.WriteFailureCoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Pushes {@link TimeSeries} to a Prometheus Pushgateway. Create with {@code
 * PrometheusIO.pushgateway()}.
 *
 * <p>Series are grouped per window pane into Pushgateway groups: the job, a fixed grouping key, and
 * grouping labels taken from each series ({@link #withGroupingLabels}, moved from the series into
 * the URL). Each group gets one push per pane, carrying the latest sample of each of its series,
 * without timestamps, in text format 0.0.4. Use windows (or triggers) to push periodically from a
 * streaming pipeline; a bounded pipeline in the global window pushes once at the end.
 */
@AutoValue
public abstract class Pushgateway extends PTransform<PCollection<TimeSeries>, PushResult>
    implements HttpTransport<Pushgateway> {
  private static final long serialVersionUID = 1L;

  @Override
  public abstract HttpEndpoint endpoint();

  @Override
  public abstract RetryPolicy retryPolicy();

  /** The {@code job} of every group pushed (required). */
  public abstract @Nullable String job();

  /** Fixed grouping-key labels besides the job. */
  public abstract Map<String, String> groupingKey();

  /** Labels whose values, per series, become part of the grouping key. */
  public abstract List<String> groupingLabels();

  /** PUT (replace the group) or POST (replace the pushed families only). */
  public abstract PushMethod method();

  /** What happens to series that cannot be pushed. */
  public abstract FailurePolicy failurePolicy();

  /** Beam's dead-letter handler for failures, if set. */
  public abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder toBuilder();

  /** A sink with the defaults; prefer {@code PrometheusIO.pushgateway()}. */
  public static Pushgateway create() {
    return new AutoValue_Pushgateway.Builder()
        .setEndpoint(HttpEndpoint.create())
        .setRetryPolicy(RetryPolicy.forSinks())
        .setGroupingKey(Collections.emptyMap())
        .setGroupingLabels(Collections.emptyList())
        .setMethod(PushMethod.PUT)
        .setFailurePolicy(FailurePolicy.OUTPUT)
        .build();
  }

  @Override
  public Pushgateway withEndpoint(HttpEndpoint endpoint) {
    return toBuilder().setEndpoint(endpoint).build();
  }

  @Override
  public Pushgateway withRetryPolicy(RetryPolicy policy) {
    return toBuilder().setRetryPolicy(policy).build();
  }

  /** The {@code job} of every group. Required. */
  public Pushgateway withJob(String job) {
    if (job == null) {
      throw new IllegalArgumentException("job must not be null");
    }
    return toBuilder().setJob(job).build();
  }

  /** Fixed grouping labels added to every group's path. */
  public Pushgateway withGroupingKey(Map<String, String> key) {
    return toBuilder()
        .setGroupingKey(Collections.unmodifiableMap(new LinkedHashMap<>(key)))
        .build();
  }

  /**
   * Labels whose per-series values pick the group: they are removed from the series and become part
   * of the group's path (e.g. {@code "instance"}). A series without one gets an empty value.
   */
  public Pushgateway withGroupingLabels(String... labelNames) {
    return toBuilder().setGroupingLabels(List.of(labelNames)).build();
  }

  /**
   * {@link PushMethod#PUT} (default) replaces the group; {@link PushMethod#POST} merges by name.
   */
  public Pushgateway withMethod(PushMethod method) {
    return toBuilder().setMethod(method).build();
  }

  /** Failure output (default) or failing the pipeline, for series that cannot be pushed. */
  public Pushgateway withFailurePolicy(FailurePolicy policy) {
    return toBuilder().setFailurePolicy(policy).build();
  }

  /**
   * Also routes every failure, as a {@link BadRecord}, to Beam's dead-letter {@link ErrorHandler}.
   */
  public Pushgateway withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  @Override
  public PushResult expand(PCollection<TimeSeries> input) {
    String name = getName();
    endpoint().validate(name);
    retryPolicy().validate(name);
    if (job() == null) {
      throw new IllegalArgumentException(name + ": withJob(...) is required");
    }
    for (String label : groupingKey().keySet()) {
      if (!SeriesValidator.isValidLabelName(label)) {
        throw new IllegalArgumentException(
            name + ": grouping key label \"" + label + "\" is not a valid label name");
      }
    }

    TupleTag<TimeSeries> validTag = new TupleTag<TimeSeries>() {};
    TupleTag<WriteFailure> invalidTag = new TupleTag<WriteFailure>() {};
    PCollectionTuple validated =
        input.apply(
            "Validate",
            ParDo.of(
                    ValidateSeriesFn.of(
                        SeriesValidator.DEFAULT
                            .maxFutureSkewMillis(Long.MAX_VALUE) // no timestamps pushed
                            .floatsOnly(),
                        failurePolicy(),
                        validTag,
                        invalidTag,
                        name,
                        "pushgateway"))
                .withOutputTags(validTag, TupleTagList.of(invalidTag)));

    String jobName = job();
    Map<String, String> fixed = groupingKey();
    List<String> fromLabels = groupingLabels();
    PCollection<KV<List<String>, Iterable<TimeSeries>>> groups =
        validated
            .get(validTag)
            .setCoder(TimeSeriesCoder.of())
            .apply(
                "ToGroup",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.lists(TypeDescriptors.strings()),
                            TypeDescriptor.of(TimeSeries.class)))
                    .via(ts -> toGroup(ts, jobName, fixed, fromLabels)))
            .setCoder(KvCoder.of(ListCoder.of(StringUtf8Coder.of()), TimeSeriesCoder.of()))
            .apply("PerGroupAndPane", GroupByKey.create());

    TupleTag<PushSummary> successTag = new TupleTag<PushSummary>() {};
    TupleTag<WriteFailure> pushFailureTag = new TupleTag<WriteFailure>() {};
    PCollectionTuple pushed =
        groups.apply(
            "Push",
            ParDo.of(
                    new PushGroupFn(
                        endpoint(),
                        retryPolicy(),
                        method(),
                        failurePolicy(),
                        successTag,
                        pushFailureTag,
                        name))
                .withOutputTags(successTag, TupleTagList.of(pushFailureTag)));

    PCollection<PushSummary> successes =
        pushed.get(successTag).setCoder(SerializableCoder.of(PushSummary.class));
    PCollection<WriteFailure> failures =
        PCollectionList.of(validated.get(invalidTag).setCoder(WriteFailureCoder.of()))
            .and(pushed.get(pushFailureTag).setCoder(WriteFailureCoder.of()))
            .apply("Failures", Flatten.pCollections());
    if (badRecordErrorHandler() != null) {
      badRecordErrorHandler()
          .addErrorCollection(failures.apply("ToBadRecords", BadRecords.fromFailures()));
    }
    return new PushResult(input.getPipeline(), successTag, successes, failures);
  }

  static KV<List<String>, TimeSeries> toGroup(
      TimeSeries ts, String job, Map<String, String> fixed, List<String> fromLabels) {
    Map<String, String> grouping = new LinkedHashMap<>(fixed);
    Labels labels = ts.labels();
    for (String l : fromLabels) {
      String v = labels.get(l);
      grouping.put(l, v == null ? "" : v);
    }
    TimeSeries stripped =
        fromLabels.isEmpty()
            ? ts
            : ts.withLabels(labels.without(fromLabels.toArray(new String[0])));
    return KV.of(PushGroupFn.key(job, grouping), stripped);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    endpoint().populateDisplayData(builder);
    retryPolicy().populateDisplayData(builder);
    builder
        .addIfNotNull(DisplayData.item("job", job()).withLabel("Job"))
        .add(DisplayData.item("groupingKey", groupingKey().toString()).withLabel("Grouping key"))
        .add(
            DisplayData.item("groupingLabels", String.join(",", new ArrayList<>(groupingLabels())))
                .withLabel("Grouping labels"))
        .add(DisplayData.item("method", method().name()).withLabel("HTTP method"))
        .add(DisplayData.item("failurePolicy", failurePolicy().name()).withLabel("Failure policy"));
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setEndpoint(HttpEndpoint e);

    abstract Builder setRetryPolicy(RetryPolicy p);

    abstract Builder setJob(@Nullable String job);

    abstract Builder setGroupingKey(Map<String, String> key);

    abstract Builder setGroupingLabels(List<String> labels);

    abstract Builder setMethod(PushMethod m);

    abstract Builder setFailurePolicy(FailurePolicy p);

    abstract Builder setBadRecordErrorHandler(@Nullable ErrorHandler<BadRecord, ?> h);

    abstract Pushgateway build();
  }
}
