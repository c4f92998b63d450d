package io.prombeam.sink;

/** Why a series was not delivered. */
public enum FailureReason {
  /** It breaks a Prometheus data-model rule; it never reached the wire. */
  INVALID_SERIES,
  /** The receiver answered with a status that retrying cannot change (a 4xx other than 429). */
  REJECTED,
  /** Retryable failures (5xx, 429, connection errors, timeouts) outlasted the retry policy. */
  RETRIES_EXHAUSTED
}
