package io.prombeam.http;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/** Parses {@code Retry-After} (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
final class RetryAfter {
  private RetryAfter() {}

  /** The delay in milliseconds from {@code nowMillis}, or empty when absent or unparseable. */
  public static OptionalLong delayMillis(String header, long nowMillis) {
    if (header == null) {
      return OptionalLong.empty();
    }
    String v = header.trim();
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return OptionalLong.of(Math.multiplyExact(Long.parseLong(v), 1000L));
      } catch (ArithmeticException | NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return OptionalLong.of(Math.max(0, at.toEpochMilli() - nowMillis));
    } catch (DateTimeParseException e) {
      return OptionalLong.empty();
    }
  }
}
