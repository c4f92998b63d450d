package io.prombeam.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.OptionalLong;
import java.util.function.Supplier;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one request, retrying what {@link RetryClassifier} calls retryable (5xx, 429, connection
 * errors, timeouts) with the {@link RetryPolicy}'s backoff, and waiting at least as long as a
 * {@code Retry-After} on 429/503 asks. Never retries other 4xx. Blocking: a sink calling it from
 * its DoFn thereby passes backpressure upstream while a receiver is down.
 */
@Internal
public final class RetryingHttpSender {
  private static final Logger LOG = LoggerFactory.getLogger(RetryingHttpSender.class);

  /** Told of each failed try that will be retried; for counters. */
  public interface RetryListener {
    void onRetry(int status, String reason, long delayMillis);
  }

  private static final Headers NO_HEADERS = Headers.of();

  private final OkHttpClient client;
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final long maxBodyBytes;

  /** A sender to {@code endpoint}'s server, retrying under {@code policy}. */
  public RetryingHttpSender(HttpEndpoint endpoint, RetryPolicy policy) {
    this(HttpClients.forEndpoint(endpoint), policy, Sleeper.DEFAULT);
  }

  RetryingHttpSender(OkHttpClient client, RetryPolicy policy, Sleeper sleeper) {
    this(client, policy, sleeper, Long.MAX_VALUE);
  }

  private RetryingHttpSender(
      OkHttpClient client, RetryPolicy policy, Sleeper sleeper, long maxBodyBytes) {
    this.client = client;
    this.policy = policy;
    this.sleeper = sleeper;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Keeps at most {@code bytes} of a response body ({@code keepBody}): a longer one fails the try
   * like a broken connection, after reading no more than that ({@code Content-Length} is checked
   * first). 0 means no limit. Returns a new sender; this one is unchanged.
   */
  public RetryingHttpSender withMaxBodyBytes(long bytes) {
    return new RetryingHttpSender(client, policy, sleeper, bytes == 0 ? Long.MAX_VALUE : bytes);
  }

  /**
   * Sends the request {@code requestFactory} builds (called once per try), returning the outcome
   * after success, a non-retryable answer, or exhausted retries.
   */
  public SendOutcome send(Supplier<Request> requestFactory, RetryListener listener)
      throws InterruptedException {
    return send(requestFactory, listener, false);
  }

  /**
   * As {@link #send(Supplier, RetryListener)}; with {@code keepBody} a successful response's whole
   * body is kept ({@link SendOutcome#body()}), for readers.
   */
  public SendOutcome send(
      Supplier<Request> requestFactory, RetryListener listener, boolean keepBody)
      throws InterruptedException {
    BackOff backOff = policy.newBackOff();
    long start = System.currentTimeMillis();
    long deadline = start + policy.maxRetryDuration().getMillis();
    int attempts = 0;
    while (true) {
      attempts++;
      Request request = requestFactory.get();
      long t0 = System.nanoTime();
      int status = 0;
      String message;
      byte[] body = null;
      String contentType = null;
      OptionalLong retryAfter = OptionalLong.empty();
      Headers headers = NO_HEADERS;
      try (Response response = client.newCall(request).execute()) {
        status = response.code();
        headers = response.headers();
        if (keepBody && RetryClassifier.isSuccess(status)) {
          body = response.body() == null ? new byte[0] : boundedBody(response.body());
          contentType = response.header("Content-Type");
          message = "";
        } else {
          message = bodyText(response.body());
        }
        if (RetryClassifier.honoursRetryAfter(status)) {
          retryAfter =
              RetryAfter.delayMillis(response.header("Retry-After"), System.currentTimeMillis());
        }
      } catch (InterruptedIOException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("interrupted while sending to " + request.url().redact());
        }
        status = 0;
        message = describe(e); // a timeout
      } catch (IOException e) {
        status = 0; // the exchange broke, even if its status line had arrived
        message = describe(e);
      }
      long latency = (System.nanoTime() - t0) / 1_000_000;
      long total = System.currentTimeMillis() - start;
      if (RetryClassifier.isSuccess(status)) {
        return new SendOutcome(true, status, message, attempts, latency, total, body, headers)
            .withContentType(contentType);
      }
      if (status != 0 && !RetryClassifier.isRetryable(status)) {
        return new SendOutcome(false, status, message, attempts, latency, total, null, headers);
      }
      long delay = nextBackOff(backOff);
      if (delay == BackOff.STOP) {
        return new SendOutcome(false, status, message, attempts, latency, total, null, headers);
      }
      if (retryAfter.isPresent()) {
        delay = Math.max(delay, retryAfter.getAsLong());
      }
      if (System.currentTimeMillis() + delay > deadline) {
        return new SendOutcome(
            false,
            status,
            message + " (retry budget " + policy.maxRetryDuration() + " spent)",
            attempts,
            latency,
            total,
            null,
            headers);
      }
      String reason = status == 0 ? message : "HTTP " + status;
      if (attempts == 1 || attempts % 10 == 0) {
        LOG.warn(
            "{} failed ({}), try {}; retrying in {} ms",
            request.url().redact(),
            reason,
            attempts,
            delay);
      }
      listener.onRetry(status, reason, delay);
      sleeper.sleep(delay);
    }
  }

  /** The whole body, or an IOException once it passes {@link #maxBodyBytes}. */
  private byte[] boundedBody(ResponseBody body) throws IOException {
    if (maxBodyBytes == Long.MAX_VALUE) {
      return body.bytes();
    }
    if (body.contentLength() > maxBodyBytes) {
      throw new IOException(
          "response body of "
              + body.contentLength()
              + " bytes is over the limit of "
              + maxBodyBytes);
    }
    okio.BufferedSource source = body.source();
    if (source.request(maxBodyBytes + 1)) {
      throw new IOException("response body is over the limit of " + maxBodyBytes + " bytes");
    }
    return source.readByteArray();
  }

  private static long nextBackOff(BackOff backOff) {
    try {
      return backOff.nextBackOffMillis();
    } catch (IOException e) {
      return BackOff.STOP;
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + truncate(m));
  }

  /** Reads at most 64 KiB of the body; keeps the first {@link SendOutcome#MAX_RESPONSE_TEXT}. */
  private static String bodyText(ResponseBody body) throws IOException {
    if (body == null) {
      return "";
    }
    okio.BufferedSource src = body.source();
    src.request(64 * 1024);
    okio.Buffer buf = src.getBuffer();
    long n = Math.min(buf.size(), 64 * 1024);
    return truncate(buf.clone().readUtf8(n).trim());
  }

  static String truncate(String s) {
    return s.length() <= SendOutcome.MAX_RESPONSE_TEXT
        ? s
        : s.substring(0, SendOutcome.MAX_RESPONSE_TEXT) + "...(truncated)";
  }
}
