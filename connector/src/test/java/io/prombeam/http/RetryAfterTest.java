package io.prombeam.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class RetryAfterTest {
  @Test
  public void parsesDelaySeconds() {
    assertEquals(2000, RetryAfter.delayMillis("2", 0).getAsLong());
    assertEquals(0, RetryAfter.delayMillis(" 0 ", 0).getAsLong());
  }

  @Test
  public void parsesHttpDate() {
    long now = java.time.Instant.parse("2015-10-21T07:28:00Z").toEpochMilli();
    assertEquals(0, RetryAfter.delayMillis("Wed, 21 Oct 2015 07:28:00 GMT", now).getAsLong());
    assertEquals(90_000, RetryAfter.delayMillis("Wed, 21 Oct 2015 07:29:30 GMT", now).getAsLong());
    // a date in the past means "now"
    assertEquals(0, RetryAfter.delayMillis("Wed, 21 Oct 2015 07:00:00 GMT", now).getAsLong());
  }

  @Test
  public void ignoresGarbage() {
    assertFalse(RetryAfter.delayMillis(null, 0).isPresent());
    assertFalse(RetryAfter.delayMillis("", 0).isPresent());
    assertFalse(RetryAfter.delayMillis("-1", 0).isPresent());
    assertFalse(RetryAfter.delayMillis("soon", 0).isPresent());
    assertFalse(RetryAfter.delayMillis("99999999999999999999", 0).isPresent());
  }

  @Test
  public void classifiesStatuses() {
    assertTrue(RetryClassifier.isRetryable(500));
    assertTrue(RetryClassifier.isRetryable(503));
    assertTrue(RetryClassifier.isRetryable(429));
    assertFalse(RetryClassifier.isRetryable(400));
    assertFalse(RetryClassifier.isRetryable(401));
    assertFalse(RetryClassifier.isRetryable(404));
    assertFalse(RetryClassifier.isRetryable(413));
    assertTrue(RetryClassifier.isSuccess(204));
    assertTrue(RetryClassifier.honoursRetryAfter(429));
    assertTrue(RetryClassifier.honoursRetryAfter(503));
    assertFalse(RetryClassifier.honoursRetryAfter(500));
  }
}
