package io.prombeam.aggregate;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.Labels;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.SeriesViolation;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Element → (label set, observation). A label set or value that cannot become a valid sample (an
 * invalid label name, a value that is NaN, a negative counter increment, an exception in the user's
 * function) goes to the bad-record output, or throws when there is no handler.
 */
final class ExtractFn<T> extends DoFn<T, KV<Labels, Observation>> {
  private final String metric;
  private final Kind kind;
  private final @Nullable SerializableFunction<T, Map<String, String>> labelsFn;
  private final @Nullable SerializableFunction<T, Double> valueFn;
  private final @Nullable SerializableFunction<T, String> traceIdFn;
  private final Map<String, String> constantLabels;
  private final @Nullable TupleTag<BadRecord> badTag;
  private final Coder<T> inputCoder;
  private final Counter rejected = PrombeamCounter.AGGREGATE_ELEMENTS_REJECTED.counter();

  ExtractFn(
      String metric,
      Kind kind,
      @Nullable SerializableFunction<T, Map<String, String>> labelsFn,
      @Nullable SerializableFunction<T, Double> valueFn,
      @Nullable SerializableFunction<T, String> traceIdFn,
      Map<String, String> constantLabels,
      @Nullable TupleTag<BadRecord> badTag,
      Coder<T> inputCoder) {
    this.metric = metric;
    this.kind = kind;
    this.labelsFn = labelsFn;
    this.valueFn = valueFn;
    this.traceIdFn = traceIdFn;
    this.constantLabels = constantLabels;
    this.badTag = badTag;
    this.inputCoder = inputCoder;
  }

  @ProcessElement
  public void process(
      @Element T element, @Timestamp org.joda.time.Instant ts, MultiOutputReceiver out)
      throws Exception {
    Labels labels;
    double value;
    String traceId = null;
    try {
      Labels.Builder b = Labels.builder().add(Labels.METRIC_NAME, metric).addAll(constantLabels);
      if (labelsFn != null) {
        Map<String, String> l = labelsFn.apply(element);
        if (l != null) {
          l.forEach((k, v) -> b.set(k, v == null ? "" : v));
        }
      }
      labels = b.build();
      Optional<SeriesViolation> v = SeriesValidator.DEFAULT.validateLabels(labels);
      if (v.isPresent()) {
        throw new IllegalArgumentException(v.get().message());
      }
      value = valueFn == null ? 1.0 : checkValue(valueFn.apply(element));
      if (kind == Kind.COUNTER && value < 0) {
        throw new IllegalArgumentException(
            "counter "
                + metric
                + " got increment "
                + value
                + " for "
                + labels
                + ": counter increments must be >= 0");
      }
      if (traceIdFn != null) {
        traceId = traceIdFn.apply(element); // null or empty: no exemplar from this element
      }
    } catch (Exception e) {
      rejected.inc();
      if (badTag == null) {
        throw e;
      }
      out.get(badTag)
          .output(
              BadRecord.fromExceptionInformation(
                  element, inputCoder, e, "prombeam aggregate " + metric + ": " + e.getMessage()));
      return;
    }
    out.get(MAIN)
        .output(
            KV.of(
                labels,
                new Observation(
                    value, ts.getMillis(), traceId == null || traceId.isEmpty() ? null : traceId)));
  }

  private double checkValue(Double v) {
    if (v == null || Double.isNaN(v)) {
      throw new IllegalArgumentException(
          "metric " + metric + ": value is " + v + "; a value must be a number");
    }
    return v;
  }

  static final TupleTag<KV<Labels, Observation>> MAIN =
      new TupleTag<KV<Labels, Observation>>("extracted") {};
}
