package io.prombeam.sink;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import java.util.Locale;
import java.util.Optional;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Splits series into valid ones (main output, as {@code onValid} maps them: the series itself, or
 * keyed for the next step, which saves a step and, on runners that copy elements between chained
 * steps, a copy) and invalid ones ({@link WriteFailure}s naming the broken rule), or throws on the
 * first invalid one under {@link FailurePolicy#FAIL_PIPELINE}.
 */
@Internal
public final class ValidateSeriesFn<OutT> extends DoFn<TimeSeries, OutT> {
  private final SeriesValidator validator;
  private final FailurePolicy policy;
  private final TupleTag<OutT> validTag;
  private final SerializableFunction<TimeSeries, OutT> onValid;
  private final TupleTag<WriteFailure> failureTag;
  private final String transformName;
  private final Counter samplesFailed;
  private final Counter invalidSeries;
  private final Counter invalidSamples;

  /** Valid series go out as they are. */
  public static ValidateSeriesFn<TimeSeries> of(
      SeriesValidator validator,
      FailurePolicy policy,
      TupleTag<TimeSeries> validTag,
      TupleTag<WriteFailure> failureTag,
      String transformName,
      String metricPrefix) {
    return new ValidateSeriesFn<>(
        validator, policy, validTag, ts -> ts, failureTag, transformName, metricPrefix);
  }

  /** Valid series go out as {@code onValid} maps them. */
  public ValidateSeriesFn(
      SeriesValidator validator,
      FailurePolicy policy,
      TupleTag<OutT> validTag,
      SerializableFunction<TimeSeries, OutT> onValid,
      TupleTag<WriteFailure> failureTag,
      String transformName,
      String metricPrefix) {
    this.onValid = onValid;
    this.validator = validator;
    this.policy = policy;
    this.validTag = validTag;
    this.failureTag = failureTag;
    this.samplesFailed = counter(metricPrefix, "_samples_failed");
    this.transformName = transformName;
    this.invalidSeries = counter(metricPrefix, "_series_invalid");
    this.invalidSamples = counter(metricPrefix, "_samples_invalid");
  }

  /** The sink's counter, e.g. {@code remote_write} + {@code _samples_failed}. */
  private static Counter counter(String sinkPrefix, String suffix) {
    return PrombeamCounter.valueOf((sinkPrefix + suffix).toUpperCase(Locale.ROOT)).counter();
  }

  @ProcessElement
  public void process(@Element TimeSeries ts, MultiOutputReceiver out) {
    Optional<SeriesViolation> v = validator.validate(ts);
    if (v.isEmpty()) {
      out.get(validTag).output(onValid.apply(ts));
      return;
    }
    invalidSeries.inc();
    invalidSamples.inc(ts.sampleCount());
    samplesFailed.inc(ts.sampleCount());
    new FailureEmitter(policy, transformName)
        .emit(WriteFailure.invalid(ts, v.get()), out.get(failureTag)::output);
  }
}
