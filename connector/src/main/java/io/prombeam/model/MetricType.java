package io.prombeam.model;

/** Prometheus metric types, as carried in remote-write metadata and the text format's # TYPE. */
public enum MetricType {
  UNKNOWN("untyped"),
  COUNTER("counter"),
  GAUGE("gauge"),
  HISTOGRAM("histogram"),
  GAUGEHISTOGRAM("gaugehistogram"),
  SUMMARY("summary"),
  INFO("info"),
  STATESET("stateset");

  private final String textName;

  MetricType(String textName) {
    this.textName = textName;
  }

  /** The name used by the text exposition format ("untyped" for {@link #UNKNOWN}). */
  public String textName() {
    return textName;
  }
}
