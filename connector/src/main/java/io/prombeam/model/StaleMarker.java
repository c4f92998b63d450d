package io.prombeam.model;

/**
 * Prometheus' staleness marker: a NaN with one exact bit pattern. Writing it ends a series at that
 * timestamp. It differs from an ordinary NaN only in its bits, so everything that carries it must
 * copy raw bits ({@link Double#doubleToRawLongBits}), never canonicalise NaNs.
 */
public final class StaleMarker {
  /** The marker's bit pattern, as Prometheus' {@code value.StaleNaN}. */
  public static final long BITS = 0x7ff0000000000002L;

  /** The marker as a double: a sample with this value ends its series. */
  public static final double VALUE = Double.longBitsToDouble(BITS);

  private StaleMarker() {}

  /** Whether {@code value} is the staleness marker (by raw bits; an ordinary NaN is not). */
  public static boolean isStale(double value) {
    return Double.doubleToRawLongBits(value) == BITS;
  }
}
