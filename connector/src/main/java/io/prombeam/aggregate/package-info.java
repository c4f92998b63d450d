/**
 * Windowed aggregation of any {@code PCollection<T>} into Prometheus counters, gauges, histograms
 * and summaries per window and label set, following Prometheus' rules: counters stay monotonic
 * across windows, one value per series and timestamp, staleness markers when a series ends.
 */
package io.prombeam.aggregate;
