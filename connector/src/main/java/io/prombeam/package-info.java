/**
 * prombeam: Apache Beam transforms that write to and read from Prometheus. Start at {@link
 * io.prombeam.PrometheusIO}, the one entry point for every sink and source, and {@link
 * io.prombeam.aggregate.PrometheusAggregate} for turning any {@code PCollection} into metrics.
 */
package io.prombeam;
