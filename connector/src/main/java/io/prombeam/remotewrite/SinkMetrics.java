package io.prombeam.remotewrite;

/** Names of the remote-write sink's Beam metrics, namespace {@value #NAMESPACE}. */
final class SinkMetrics {
  static final String NAMESPACE = "prombeam";

  static final String SAMPLES_SENT = "remote_write_samples_sent";
  static final String SAMPLES_FAILED = "remote_write_samples_failed";
  static final String SAMPLES_RETRIED = "remote_write_samples_retried";
  static final String SAMPLES_DEDUPLICATED = "remote_write_samples_deduplicated";
  static final String SERIES_INVALID = "remote_write_series_invalid";
  static final String SAMPLES_INVALID = "remote_write_samples_invalid";
  static final String SERIES_SENT = "remote_write_series_sent";
  static final String REQUESTS = "remote_write_requests";
  static final String REQUESTS_FAILED = "remote_write_requests_failed";
  static final String RETRIES = "remote_write_retries";
  static final String COMPRESSED_BYTES = "remote_write_compressed_bytes";
  static final String UNCOMPRESSED_BYTES = "remote_write_uncompressed_bytes";
  static final String REQUEST_LATENCY_MS = "remote_write_request_latency_ms";
  static final String REORDER_BUFFER_OVERFLOWS = "remote_write_reorder_buffer_overflows";

  private SinkMetrics() {}
}
