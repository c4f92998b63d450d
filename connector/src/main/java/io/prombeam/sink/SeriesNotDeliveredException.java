package io.prombeam.sink;

/**
 * Thrown by a sink under {@link FailurePolicy#FAIL_PIPELINE} for the first series it cannot deliver
 * (invalid, rejected by the receiver, or out of retries), and for a bounded series too large to
 * merge: the bundle fails, and with it the pipeline unless the runner retries it successfully. The
 * message names the transform, the series and the rule or the receiver's answer; {@link #failure()}
 * is the record the failure output would have carried.
 */
public final class SeriesNotDeliveredException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient WriteFailure failure;

  /** For {@code failure}, a series the transform {@code transformName} could not deliver. */
  public SeriesNotDeliveredException(String transformName, WriteFailure failure) {
    super(transformName + ": not delivered: " + failure);
    this.failure = failure;
  }

  /** For a condition that is not one series' failure record; {@code message} names the series. */
  public SeriesNotDeliveredException(String message) {
    super(message);
    this.failure = null;
  }

  /** The failure record, or null when this exception was not about one record (or was sent). */
  public WriteFailure failure() {
    return failure;
  }
}
