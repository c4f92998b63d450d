package io.prombeam.model;

/** The Prometheus data-model rules a series can break; named in every failure record. */
public enum SeriesRule {
  MISSING_METRIC_NAME("a series needs a non-empty __name__ label"),
  INVALID_METRIC_NAME("metric names must match [a-zA-Z_:][a-zA-Z0-9_:]*"),
  INVALID_LABEL_NAME("label names must match [a-zA-Z_][a-zA-Z0-9_]*"),
  RESERVED_LABEL_NAME("label names starting with __ are reserved (except __name__)"),
  DUPLICATE_LABEL_NAME("label names must be unique within a series"),
  INVALID_UTF8("label names and values must be valid UTF-8"),
  LABEL_VALUE_TOO_LONG("label value longer than the configured limit"),
  NO_SAMPLES("a series must carry at least one sample"),
  TIMESTAMP_TOO_FAR_IN_FUTURE(
      "a sample too far ahead of the wall clock would move Prometheus' head past every current"
          + " sample and make them all out of bounds"),
  DUPLICATE_TIMESTAMP("two samples of one series share a timestamp with different values"),
  MIXED_SAMPLES_AND_HISTOGRAMS(
      "a series holds float samples or native histograms, not both (staleness markers excepted)"),
  INVALID_HISTOGRAM(
      "a native histogram needs a schema of -4..8 (or -53 with custom bounds), spans that cover its"
          + " buckets with non-negative offsets after the first, no negative count, and a count"
          + " equal to its buckets' total"),
  INVALID_EXEMPLAR(
      "exemplar labels need valid names and at most 128 characters of names and values together"),
  HISTOGRAM_NOT_PUSHABLE(
      "the Pushgateway text format carries float samples only: send native histograms by remote"
          + " write"),
  INVALID_START_TIMESTAMP("a sample's start timestamp must not be after its timestamp"),
  OUT_OF_ORDER("a sample must be newer than the series' last sample already sent"),
  FAMILY_TYPE_CONFLICT("all series of one metric family in a push must have the same type");

  private final String description;

  SeriesRule(String description) {
    this.description = description;
  }

  /** What the rule requires, for messages. */
  public String description() {
    return description;
  }
}
