package io.prombeam.model;

import java.io.Serializable;
import org.apache.beam.sdk.annotations.Internal;

/** A broken {@link SeriesRule}, with a message that names the series and the offending label. */
@Internal
public final class SeriesViolation implements Serializable {
  private static final long serialVersionUID = 1L;

  private final SeriesRule rule;
  private final String message;

  /** A broken {@code rule}, with a message naming the series and what is wrong. */
  public SeriesViolation(SeriesRule rule, String message) {
    this.rule = rule;
    this.message = message;
  }

  /** The rule broken. */
  public SeriesRule rule() {
    return rule;
  }

  /** E.g. {@code INVALID_LABEL_NAME: label "1x" of series up{...}: label names must match ...}. */
  public String message() {
    return message;
  }

  @Override
  public String toString() {
    return message;
  }
}
