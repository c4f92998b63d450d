package io.prombeam.counters;

import java.util.Locale;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Every Beam counter prombeam's transforms keep, in namespace {@value #NAMESPACE}; the Beam metric
 * name is the constant's name in lower case ({@link #metricName()}), e.g. {@code
 * remote_write_samples_sent}. Read one with {@link PrombeamCounters#get}; docs/reliability.md and
 * each guide say what they count.
 */
public enum PrombeamCounter {
  /** Samples delivered by the remote-write sink (the receiver answered 2xx). */
  REMOTE_WRITE_SAMPLES_SENT,
  /** Series delivered by the remote-write sink, once per request they were in. */
  REMOTE_WRITE_SERIES_SENT,
  /** Samples the remote-write sink could not deliver (invalid, rejected, out of retries). */
  REMOTE_WRITE_SAMPLES_FAILED,
  /** Samples in retried requests, once per retry. */
  REMOTE_WRITE_SAMPLES_RETRIED,
  /** Exact repeats of a sample (same series, timestamp and value bits) sent once. */
  REMOTE_WRITE_SAMPLES_DEDUPLICATED,
  /** Series that break a data-model rule. */
  REMOTE_WRITE_SERIES_INVALID,
  /** Samples of series that break a data-model rule. */
  REMOTE_WRITE_SAMPLES_INVALID,
  /** Requests sent (after their retries). */
  REMOTE_WRITE_REQUESTS,
  /** Requests not delivered. */
  REMOTE_WRITE_REQUESTS_FAILED,
  /** Retries of requests. */
  REMOTE_WRITE_RETRIES,
  /** Request bytes on the wire (snappy). */
  REMOTE_WRITE_COMPRESSED_BYTES,
  /** Request bytes before compression. */
  REMOTE_WRITE_UNCOMPRESSED_BYTES,
  /** Times a shard's reorder buffer was full and released everything at once. */
  REMOTE_WRITE_REORDER_BUFFER_OVERFLOWS,
  /** Pushes to the Pushgateway that succeeded. */
  PUSHGATEWAY_PUSHES,
  /** Pushes to the Pushgateway that failed. */
  PUSHGATEWAY_PUSHES_FAILED,
  /** Series pushed. */
  PUSHGATEWAY_SERIES_PUSHED,
  /** Samples the Pushgateway sink could not deliver. */
  PUSHGATEWAY_SAMPLES_FAILED,
  /** Series that break a data-model rule, in the Pushgateway sink. */
  PUSHGATEWAY_SERIES_INVALID,
  /** Samples of series that break a data-model rule, in the Pushgateway sink. */
  PUSHGATEWAY_SAMPLES_INVALID,
  /** Older samples of a series replaced by its newest in the same push (a gauge holds one). */
  PUSHGATEWAY_SAMPLES_SUPERSEDED,
  /** Series deleted from a group because their newest sample was a staleness marker. */
  PUSHGATEWAY_SERIES_ENDED_BY_STALE_MARKER,
  /** Elements {@code PrometheusAggregate} refused (a label or value function failed). */
  AGGREGATE_ELEMENTS_REJECTED,
  /** Elements of label sets over the cardinality limit. */
  AGGREGATE_OVERFLOW_ELEMENTS,
  /** Panes folded into the window's output. */
  AGGREGATE_PANES_FOLDED,
  /** Panes given a later timestamp so that no two values share one. */
  AGGREGATE_PANES_RESTAMPED,
  /** Series ended with a staleness marker. */
  AGGREGATE_SERIES_STALED,
  /** Series read by {@code read()}. */
  QUERY_SERIES_READ,
  /** Samples read by {@code read()}. */
  QUERY_SAMPLES_READ,
  /** Series read by {@code remoteRead()}. */
  REMOTE_READ_SERIES,
  /** Samples read by {@code remoteRead()}. */
  REMOTE_READ_SAMPLES,
  /** Series {@code receive()} emitted. */
  RECEIVE_SERIES,
  /** Requests {@code receive()} refused whole (401, 413, 415, 400 undecodable, 503 busy). */
  RECEIVE_REQUESTS_REFUSED,
  /**
   * Series {@code receive()} refused by name in a 400 (their requests' valid series were taken).
   */
  RECEIVE_SERIES_INVALID,
  /** Scrapes done. */
  SCRAPES,
  /** Scrapes that failed ({@code up} 0). */
  SCRAPES_FAILED,
  /** Samples scraped. */
  SCRAPE_SAMPLES;

  /** The Beam metrics namespace of every prombeam counter. */
  public static final String NAMESPACE = "prombeam";

  /** The Beam metric name: the constant's name in lower case. */
  public String metricName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The Beam counter, to increment inside a DoFn. */
  @Internal
  public Counter counter() {
    return Metrics.counter(NAMESPACE, metricName());
  }
}
