package io.prombeam.http;

import org.apache.beam.sdk.annotations.Internal;

/**
 * Which HTTP outcomes are worth another try. Remote-write 1.0: senders must retry 5xx and may retry
 * 429; any other 4xx means the data itself is refused and retrying cannot help.
 */
@Internal
public final class RetryClassifier {
  private RetryClassifier() {}

  /** 2xx. */
  public static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }

  /** 5xx, 429 Too Many Requests and 408 Request Timeout: a later try may succeed. */
  public static boolean isRetryable(int status) {
    return status >= 500 || status == 429 || status == 408;
  }

  /** Statuses whose Retry-After header is honoured. */
  public static boolean honoursRetryAfter(int status) {
    return status == 429 || status == 503;
  }
}
