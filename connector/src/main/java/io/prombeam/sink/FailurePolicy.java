package io.prombeam.sink;

/** What a sink does with series it cannot deliver. */
public enum FailurePolicy {
  /** Emit them on the result's failure output (and a bad-record handler, when one is set). */
  OUTPUT,
  /** Throw, failing the bundle, and so the pipeline unless the runner retries it successfully. */
  FAIL_PIPELINE
}
