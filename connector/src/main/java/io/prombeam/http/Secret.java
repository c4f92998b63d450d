package io.prombeam.http;

import java.io.Serializable;
import java.util.Objects;

/**
 * A password or token. Its {@link #toString()} never shows the value, so it stays out of logs,
 * exception messages, {@code toString} of configs and Beam display data. Only {@link #reveal()},
 * called where a request header is built, returns it.
 */
public final class Secret implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "secret");
  }

  /** Wraps {@code value}. */
  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The value, for building a request; never log it. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "[redacted]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret && ((Secret) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
