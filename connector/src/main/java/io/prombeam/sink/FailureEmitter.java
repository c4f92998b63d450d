package io.prombeam.sink;

import io.prombeam.http.RetryClassifier;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.TimeSeries;
import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.beam.sdk.annotations.Internal;

/**
 * The one failure path of every sink: classifies a send outcome into a {@link FailureReason}, and
 * hands each series not delivered to the failure output, or throws {@link
 * SeriesNotDeliveredException} under {@link FailurePolicy#FAIL_PIPELINE}.
 */
@Internal
public final class FailureEmitter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final FailurePolicy policy;
  private final String transformName;

  /** Emits failures of {@code transformName} under {@code policy}. */
  public FailureEmitter(FailurePolicy policy, String transformName) {
    this.policy = policy;
    this.transformName = transformName;
  }

  /**
   * Why a request that was not delivered failed: {@code REJECTED} for an answer retrying cannot
   * change (a 4xx other than 408/429), {@code RETRIES_EXHAUSTED} for what was retried in vain.
   */
  public static FailureReason reasonFor(SendOutcome outcome) {
    return outcome.status() != 0 && !RetryClassifier.isRetryable(outcome.status())
        ? FailureReason.REJECTED
        : FailureReason.RETRIES_EXHAUSTED;
  }

  /** The failure record of {@code series}, sent in a request that ended in {@code outcome}. */
  public static WriteFailure notDelivered(TimeSeries series, SendOutcome outcome) {
    return new WriteFailure(
        series, reasonFor(outcome), null, outcome.status(), outcome.message(), outcome.attempts());
  }

  /** Emits {@code failure} to {@code output}, or throws under {@code FAIL_PIPELINE}. */
  public void emit(WriteFailure failure, Consumer<WriteFailure> output) {
    if (policy == FailurePolicy.FAIL_PIPELINE) {
      throw new SeriesNotDeliveredException(transformName, failure);
    }
    output.accept(failure);
  }
}
