package io.prombeam.aggregate;

/** The Prometheus metric kinds {@link PrometheusAggregate} produces. */
enum Kind {
  COUNTER,
  GAUGE,
  HISTOGRAM,
  NATIVE_HISTOGRAM,
  SUMMARY
}
