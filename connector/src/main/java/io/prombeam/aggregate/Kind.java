package io.prombeam.aggregate;

/** The Prometheus metric kinds {@link PrometheusAggregate} produces. */
public enum Kind {
  COUNTER,
  GAUGE,
  HISTOGRAM,
  SUMMARY
}
