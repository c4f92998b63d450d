package io.prombeam.remotewrite;

/**
 * The remote-write sink's Beam distribution (its counters are {@link
 * io.prombeam.counters.PrombeamCounter}s), in namespace {@code prombeam}.
 */
final class SinkMetrics {
  /** Each request's last attempt, in milliseconds. */
  static final String REQUEST_LATENCY_MS = "remote_write_request_latency_ms";

  private SinkMetrics() {}
}
