package io.prombeam;

import io.prombeam.pushgateway.Pushgateway;
import io.prombeam.remotewrite.RemoteWrite;
import io.prombeam.source.QueryRangeRead;
import io.prombeam.source.Receive;
import io.prombeam.source.RemoteRead;
import io.prombeam.source.Scrape;

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

  /** A bounded source: the result of a PromQL range (or instant) query, via /api/v1/query_range. */
  public static QueryRangeRead read() {
    return QueryRangeRead.create();
  }

  /** A bounded source: raw samples of the matching series, via remote read (/api/v1/read). */
  public static RemoteRead remoteRead() {
    return RemoteRead.create();
  }

  /** An unbounded source scraping exporters (OpenMetrics or text format) every interval. */
  public static Scrape scrape() {
    return Scrape.create();
  }

  /** An unbounded source: a remote-write receiver that Prometheus servers and agents send to. */
  public static Receive receive() {
    return Receive.create();
  }

  /** A sink to a Prometheus Pushgateway (text format 0.0.4, one push per group per pane). */
  public static Pushgateway pushgateway() {
    return Pushgateway.create();
  }
}
