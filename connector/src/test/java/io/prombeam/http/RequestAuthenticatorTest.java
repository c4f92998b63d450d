package io.prombeam.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import io.prombeam.PrometheusIO;
import io.prombeam.model.TimeSeries;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * A user's {@link RequestAuthenticator} signs what goes on the wire: it sees the method, URL and
 * exact body bytes of every attempt, and the headers it adds arrive at the server. The signature
 * here is a SHA-256 over method, path and body with a per-attempt nonce, as SigV4 signs a
 * timestamp, so a retry must be signed afresh.
 */
public class RequestAuthenticatorTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private MockWebServer server;

  @Before
  public void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @After
  public void stop() throws Exception {
    server.shutdown();
  }

  /** Signs method, path, nonce and body; the key is a secret it must never print. */
  static final class Signer implements RequestAuthenticator {
    static final AtomicInteger NONCES = new AtomicInteger();
    private final Secret key = Secret.of("signing-key-123");

    @Override
    public void authenticate(SignableRequest request) {
      String nonce = Integer.toString(NONCES.incrementAndGet());
      request
          .setHeader("X-Nonce", nonce)
          .setHeader(
              "X-Signature",
              sign(
                  key.reveal(),
                  request.method(),
                  okhttp3.HttpUrl.get(request.url()).encodedPath(),
                  nonce,
                  request.body()));
    }
  }

  static String sign(String key, String method, String path, String nonce, byte[] body) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update((key + "\n" + method + "\n" + path + "\n" + nonce + "\n").getBytes());
      d.update(body);
      return HexFormat.of().formatHex(d.digest());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  public void everyAttemptIsSignedOverTheBytesSent() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(503)); // the first attempt is retried
    server.enqueue(new MockResponse().setResponseCode(204));
    List<TimeSeries> input = new ArrayList<>(); // one series: one request, then its retry
    for (int i = 0; i < 3; i++) {
      input.add(TimeSeries.builder("signed").label("job", "a").sample(1000 * (i + 1), i).build());
    }
    pipeline
        .apply(Create.of(input))
        .apply(
            PrometheusIO.remoteWrite()
                .withUrl(server.url("/api/v1/write").toString())
                .withMinBackoff(Duration.millis(10))
                .withAuthenticator(new Signer()));
    pipeline.run().waitUntilFinish();

    List<String> nonces = new ArrayList<>();
    for (int attempt = 0; attempt < 2; attempt++) {
      RecordedRequest r = server.takeRequest(30, TimeUnit.SECONDS);
      byte[] body = r.getBody().readByteArray();
      String nonce = r.getHeader("X-Nonce");
      assertEquals(
          "signature over the bytes received",
          sign("signing-key-123", "POST", "/api/v1/write", nonce, body),
          r.getHeader("X-Signature"));
      assertEquals("snappy", r.getHeader("Content-Encoding"));
      nonces.add(nonce);
    }
    assertNotEquals("a retry is signed afresh", nonces.get(0), nonces.get(1));
    assertEquals(2, server.getRequestCount());
  }

  @Test
  public void anAuthenticatorIsNamedByItsClassOnlyInDisplayDataAndToString() {
    HttpEndpoint e = HttpEndpoint.create().withUrl("http://x:9090").withAuthenticator(new Signer());
    assertThat(e.toString(), containsString("authenticator Signer"));
    assertThat(e.toString(), not(containsString("signing-key-123")));
    DisplayData shown =
        DisplayData.from(PrometheusIO.remoteWrite().withEndpoint(e).withUrl("http://x:9090"));
    assertThat(shown.toString(), containsString("authenticator Signer"));
    assertThat(shown.toString(), not(containsString("signing-key-123")));
  }
}
