package io.prombeam.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Fault injection against a scripted server: what a real receiver cannot do on demand. */
public class RetryingHttpSenderTest {
  private MockWebServer server;
  private final List<Long> retryDelays = new ArrayList<>();

  @Before
  public void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @After
  public void stop() throws Exception {
    server.shutdown();
  }

  private SendOutcome send(RetryPolicy policy, Duration timeout) throws InterruptedException {
    HttpEndpoint endpoint =
        HttpEndpoint.create().withUrl(server.url("/api/v1/write").toString()).withTimeout(timeout);
    RetryingHttpSender sender = new RetryingHttpSender(endpoint, policy);
    RequestBody body =
        RequestBody.create(new byte[] {1, 2, 3}, MediaType.get("application/x-protobuf"));
    return sender.send(
        () -> endpoint.newRequest().post(body).build(),
        (status, reason, delay) -> retryDelays.add(delay));
  }

  private static RetryPolicy fast() {
    return RetryPolicy.forSinks()
        .withMinBackoff(Duration.millis(50))
        .withMaxBackoff(Duration.millis(400));
  }

  @Test
  public void retries500ThreeTimesThenDeliversOnceWithBackoffBetweenTries() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse().setResponseCode(500).setBody("boom " + i));
    }
    server.enqueue(new MockResponse().setResponseCode(204));
    long t0 = System.nanoTime();
    SendOutcome out = send(fast(), Duration.standardSeconds(5));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertTrue(out.toString(), out.success());
    assertEquals(204, out.status());
    assertEquals(4, out.attempts());
    assertEquals(4, server.getRequestCount()); // delivered once: nothing after the 204
    assertEquals(3, retryDelays.size());
    long slept = 0;
    for (long d : retryDelays) {
      assertThat(d, greaterThanOrEqualTo(25L)); // 50 ms -50% jitter at the least
      slept += d;
    }
    assertThat(elapsedMs, greaterThanOrEqualTo(slept));
    // exponential: the third delay's range (200 ms ±50%) lies above the first's (50 ms ±50%)
    assertTrue(retryDelays.toString(), retryDelays.get(2) > retryDelays.get(0));
  }

  @Test
  public void honoursRetryAfterOn429() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "2"));
    server.enqueue(new MockResponse().setResponseCode(204));
    SendOutcome out = send(fast(), Duration.standardSeconds(5));
    assertTrue(out.success());
    RecordedRequest first = server.takeRequest();
    long firstAt = System.nanoTime();
    assertEquals(1, retryDelays.size());
    assertThat(retryDelays.get(0), greaterThanOrEqualTo(2000L));
    assertEquals(2, server.getRequestCount());
    assertEquals("/api/v1/write", first.getPath());
  }

  @Test
  public void retryAfterGapIsObservedOnTheWire() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "2"));
    server.enqueue(new MockResponse().setResponseCode(200));
    long t0 = System.nanoTime();
    SendOutcome out = send(fast(), Duration.standardSeconds(5));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(out.success());
    assertThat(elapsedMs, greaterThanOrEqualTo(2000L));
  }

  @Test
  public void doesNotRetry400AndKeepsTheBody() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(400).setBody("out of bounds"));
    server.enqueue(new MockResponse().setResponseCode(204));
    SendOutcome out = send(fast(), Duration.standardSeconds(5));
    assertFalse(out.success());
    assertEquals(400, out.status());
    assertEquals(1, out.attempts());
    assertEquals("out of bounds", out.message());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  public void retriesAConnectionReset() throws Exception {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
    server.enqueue(new MockResponse().setResponseCode(204));
    SendOutcome out = send(fast(), Duration.standardSeconds(5));
    assertTrue(out.toString(), out.success());
    assertEquals(2, out.attempts());
    assertEquals(1, retryDelays.size());
  }

  @Test
  public void aStalledResponseTimesOutAndIsRetried() throws Exception {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    server.enqueue(new MockResponse().setResponseCode(204));
    long t0 = System.nanoTime();
    SendOutcome out = send(fast(), Duration.millis(500));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(out.toString(), out.success());
    assertEquals(2, out.attempts());
    assertThat(elapsedMs, greaterThanOrEqualTo(500L));
  }

  @Test
  public void givesUpAfterMaxRetriesWithTheLastStatusAndBody() throws Exception {
    for (int i = 0; i < 5; i++) {
      server.enqueue(new MockResponse().setResponseCode(502).setBody("bad gateway " + i));
    }
    SendOutcome out = send(fast().withMaxRetries(2), Duration.standardSeconds(5));
    assertFalse(out.success());
    assertEquals(502, out.status());
    assertEquals(3, out.attempts());
    assertEquals("bad gateway 2", out.message());
    assertEquals(3, server.getRequestCount());
  }

  @Test
  public void givesUpWhenTheRetryBudgetIsSpent() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "60"));
    long t0 = System.nanoTime();
    SendOutcome out =
        send(fast().withMaxRetryDuration(Duration.standardSeconds(1)), Duration.standardSeconds(5));
    assertFalse(out.success());
    assertEquals(429, out.status());
    assertThat(out.message(), containsString("retry budget"));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), lessThan(10_000L));
  }

  @Test
  public void sendsAuthAndHeadersButNeverShowsThem() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(204));
    HttpEndpoint endpoint =
        HttpEndpoint.create()
            .withUrl(server.url("/x").toString())
            .withBasicAuth("alice", "s3cr3t-pw")
            .withHeader("X-Scope-OrgID", "tenant-secret-1");
    Request req = endpoint.newRequest().get().build();
    new okhttp3.OkHttpClient().newCall(req).execute().close();
    RecordedRequest rec = server.takeRequest();
    assertEquals(okhttp3.Credentials.basic("alice", "s3cr3t-pw"), rec.getHeader("Authorization"));
    assertEquals("tenant-secret-1", rec.getHeader("X-Scope-OrgID"));
    assertThat(rec.getHeader("User-Agent"), containsString("prombeam/"));
    String shown = endpoint.toString();
    assertFalse(shown, shown.contains("s3cr3t-pw"));
    assertFalse(shown, shown.contains("tenant-secret-1"));
    HttpEndpoint bearer = endpoint.withBearerToken("tok-abc-123");
    assertFalse(bearer.toString().contains("tok-abc-123"));
    assertEquals("Bearer tok-abc-123", bearer.newRequest().get().build().header("Authorization"));
  }
}
