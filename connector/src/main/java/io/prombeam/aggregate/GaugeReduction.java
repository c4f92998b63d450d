package io.prombeam.aggregate;

/** How a gauge reduces the values of a window to one. */
public enum GaugeReduction {
  /**
   * The value with the latest event time (ties: the larger value, so results are deterministic).
   */
  LAST,
  MIN,
  MAX,
  SUM,
  MEAN
}
