package io.prombeam.it;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prombeam.PrometheusIO;
import io.prombeam.http.OAuth2ClientCredentials;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.FailureReason;
import io.prombeam.sink.WriteFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * OAuth2 client credentials end to end: a token endpoint issuing short-lived tokens, and in front
 * of a real Prometheus a gateway that forwards a remote-write request only with a token the
 * endpoint issued and has not expired (as an OAuth2-protected managed Prometheus does). The series
 * must arrive in Prometheus; the token request must carry the client id and secret, the grant type
 * and the scopes; tokens must be reused until they near expiry; a wrong secret must end in the
 * failure output naming the OAuth2 error, never the secret.
 */
public class OAuth2IT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  private static final String CLIENT_ID = "beam-writer";
  private static final String SECRET = "s3cr3t-" + UUID.randomUUID();
  private static final OkHttpClient HTTP = new OkHttpClient();

  private HttpServer server;
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private final List<String> tokenRequestForms = new CopyOnWriteArrayList<>();
  private final Map<String, Long> validTokens = new ConcurrentHashMap<>();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile long tokenLifetimeSeconds = 3600;

  @Before
  public void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/oauth2/token", this::token);
    server.createContext("/api/v1/write", this::gateway);
    server.start();
  }

  @After
  public void stop() {
    server.stop(0);
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** RFC 6749 §4.4: client credentials in HTTP basic (form-encoded), grant type in the form. */
  private void token(HttpExchange ex) throws IOException {
    String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    tokenRequestForms.add(form);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (CLIENT_ID + ":" + java.net.URLEncoder.encode(SECRET, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(auth) || !form.contains("grant_type=client_credentials")) {
      respond(ex, 401, "{\"error\":\"invalid_client\",\"error_description\":\"bad credentials\"}");
      return;
    }
    String token = "tok-" + tokensIssued.incrementAndGet() + "-" + UUID.randomUUID();
    validTokens.put(token, System.currentTimeMillis() + tokenLifetimeSeconds * 1000);
    respond(
        ex,
        200,
        "{\"access_token\":\""
            + token
            + "\",\"token_type\":\"Bearer\",\"expires_in\":"
            + tokenLifetimeSeconds
            + "}");
  }

  /** Forwards to Prometheus only with a valid, unexpired token; 401 otherwise. */
  private void gateway(HttpExchange ex) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    Long expiry = auth == null ? null : validTokens.get(auth.replaceFirst("^Bearer ", ""));
    byte[] body = ex.getRequestBody().readAllBytes();
    if (expiry == null || expiry < System.currentTimeMillis()) {
      refused.incrementAndGet();
      respond(ex, 401, "invalid or expired token");
      return;
    }
    Request.Builder forward =
        new Request.Builder()
            .url(PROMETHEUS.remoteWriteUrl())
            .post(RequestBody.create(body, MediaType.get("application/x-protobuf")));
    for (String h :
        List.of("Content-Encoding", "X-Prometheus-Remote-Write-Version", "User-Agent")) {
      String v = ex.getRequestHeaders().getFirst(h);
      if (v != null) {
        forward.header(h, v);
      }
    }
    try (Response r = HTTP.newCall(forward.build()).execute()) {
      forwarded.incrementAndGet();
      respond(ex, r.code(), r.body() == null ? "" : r.body().string());
    }
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private List<WriteFailure> write(String name, int count, OAuth2ClientCredentials credentials) {
    long t0 = System.currentTimeMillis() - 30_000;
    List<TimeSeries> series = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      series.add(
          TimeSeries.builder(name)
              .label("i", Integer.toString(i))
              .sample(t0, i)
              .type(MetricType.GAUGE)
              .build());
    }
    Pipeline p = Pipeline.create(Runners.options(Runners.DIRECT));
    String bin = "oauth2-" + UUID.randomUUID();
    p.apply(Create.of(series))
        .apply(
            PrometheusIO.remoteWrite()
                .withUrl(base() + "/api/v1/write")
                .withMaxSamplesPerSend(10)
                .withMaxRetries(2)
                .withAuthenticator(credentials))
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    return Runners.Collect.get(bin);
  }

  private OAuth2ClientCredentials credentials(String secret) {
    return OAuth2ClientCredentials.create(base() + "/oauth2/token", CLIENT_ID, secret)
        .withScopes("metrics.write", "metrics.read")
        .withEndpointParam("audience", "prometheus");
  }

  @Test
  public void seriesArriveThroughTheGatewayWithOneCachedToken() throws Exception {
    List<WriteFailure> failures = write("oauth2_written", 100, credentials(SECRET));
    assertEquals(List.of(), failures);
    Map<Map<String, String>, TreeMap<Long, Double>> got =
        PROMETHEUS.rawSamples("oauth2_written", "5m", System.currentTimeMillis());
    assertEquals(100, got.size());
    assertTrue("10 requests of 10 series went through", forwarded.get() >= 10);
    assertEquals("no request reached the gateway without a valid token", 0, refused.get());
    assertEquals("one token for all requests of the run", 1, tokensIssued.get());
    String form = URLDecoder.decode(tokenRequestForms.get(0), StandardCharsets.UTF_8);
    assertThat(form, containsString("grant_type=client_credentials"));
    assertThat(form, containsString("scope=metrics.write metrics.read"));
    assertThat(form, containsString("audience=prometheus"));
  }

  @Test
  public void anExpiringTokenIsRenewedBeforeItExpires() throws Exception {
    tokenLifetimeSeconds = 2; // renewed halfway, after 1 s
    OAuth2ClientCredentials credentials = credentials(SECRET).withScopes("renewal");
    assertEquals(List.of(), write("oauth2_renewed", 20, credentials));
    int first = tokensIssued.get();
    Thread.sleep(2_500);
    assertEquals(List.of(), write("oauth2_renewed_later", 20, credentials));
    assertTrue("a second token after the first expired", tokensIssued.get() > first);
    assertEquals(0, refused.get());
    assertEquals(
        20, PROMETHEUS.rawSamples("oauth2_renewed_later", "5m", System.currentTimeMillis()).size());
  }

  @Test
  public void aRefusedTokenRequestIsAFailureNamingTheErrorNeverTheSecret() throws Exception {
    String wrong = "wrong-" + UUID.randomUUID();
    List<WriteFailure> failures = write("oauth2_refused", 5, credentials(wrong));
    assertEquals("every series in the failure output", 5, failures.size());
    for (WriteFailure f : failures) {
      assertEquals(FailureReason.RETRIES_EXHAUSTED, f.reason());
      assertThat(f.message(), containsString("invalid_client"));
      for (String secret : Set.of(wrong, SECRET)) {
        assertThat(f.toString(), not(containsString(secret)));
        assertThat(f.message(), not(containsString(secret)));
      }
    }
    assertEquals("nothing reached the gateway", 0, forwarded.get() + refused.get());
  }
}
