package io.prombeam;

import io.prombeam.pushgateway.Pushgateway;
import io.prombeam.remotewrite.RemoteWrite;

/**
 * Entry point of prombeam, the Apache Beam connector for Prometheus.
 *
 * <pre>{@code
 * PCollection<TimeSeries> series = ...;
 * RemoteWriteResult result = series.apply(
 *     PrometheusIO.remoteWrite()
 *         .withUrl("http://localhost:9090/api/v1/write")
 *         .withMaxSamplesPerSend(2000)
 *         .withShards(4));
 * result.getFailures().apply(...); // series not delivered, with the reason
 * }</pre>
 */
public final class PrometheusIO {
  private PrometheusIO() {}

  /** A sink to any Prometheus remote-write receiver (remote-write 1.0, protobuf + snappy). */
  public static RemoteWrite remoteWrite() {
    return RemoteWrite.create();
  }

  /** A sink to a Prometheus Pushgateway (text format 0.0.4, one push per group per pane). */
  public static Pushgateway pushgateway() {
    return Pushgateway.create();
  }
}
