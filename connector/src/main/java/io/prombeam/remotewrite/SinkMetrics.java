package io.prombeam.remotewrite;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/** The remote-write sink's own Beam metrics, namespace {@value #NAMESPACE}. */
final class SinkMetrics {
  static final String NAMESPACE = "prombeam";

  final Counter samplesSent = Metrics.counter(NAMESPACE, "remote_write_samples_sent");
  final Counter samplesFailed = Metrics.counter(NAMESPACE, "remote_write_samples_failed");
  final Counter samplesRetried = Metrics.counter(NAMESPACE, "remote_write_samples_retried");
  final Counter samplesDeduplicated = Metrics.counter(NAMESPACE, "remote_write_samples_deduplicated");
  final Counter seriesSent = Metrics.counter(NAMESPACE, "remote_write_series_sent");
  final Counter requests = Metrics.counter(NAMESPACE, "remote_write_requests");
  final Counter requestsFailed = Metrics.counter(NAMESPACE, "remote_write_requests_failed");
  final Counter retries = Metrics.counter(NAMESPACE, "remote_write_retries");
  final Counter compressedBytes = Metrics.counter(NAMESPACE, "remote_write_compressed_bytes");
  final Counter uncompressedBytes = Metrics.counter(NAMESPACE, "remote_write_uncompressed_bytes");
  final Distribution requestLatencyMs = Metrics.distribution(NAMESPACE, "remote_write_request_latency_ms");
  final Counter invalidSeries = Metrics.counter(NAMESPACE, "remote_write_series_invalid");
  final Counter invalidSamples = Metrics.counter(NAMESPACE, "remote_write_samples_invalid");
}
