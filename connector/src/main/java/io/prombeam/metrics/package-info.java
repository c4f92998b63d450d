/**
 * A pipeline's own Beam metrics for Prometheus: a Beam {@code MetricsSink} and a driver-side poller
 * that push counters, gauges and distributions by remote write or to a Pushgateway, and {@code
 * PrombeamCounters}, the names of the counters prombeam's transforms keep.
 */
package io.prombeam.metrics;
