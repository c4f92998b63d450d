package io.prombeam.it;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import io.prombeam.PrometheusIO;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.FailureReason;
import io.prombeam.sink.WriteFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * TLS with a self-signed CA and basic auth against a real Prometheus and a real Pushgateway, both
 * started with {@code --web.config.file} ({@code tls_server_config}, {@code basic_auth_users}): the
 * servers refuse requests without credentials (401), the sinks deliver with them, a wrong password
 * ends in the failure output as a 401 rejection without being retried, and the password appears in
 * none of the failures.
 */
public class SecureServersIT {
  private static final WebSecurity SECURITY = new WebSecurity();

  @ClassRule
  public static final PrometheusServer PROMETHEUS =
      new PrometheusServer().withWebSecurity(SECURITY);

  @ClassRule
  public static final PushgatewayServer GATEWAY = new PushgatewayServer().withWebSecurity(SECURITY);

  private static int status(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.code();
    }
  }

  private static List<WriteFailure> run(
      List<TimeSeries> series,
      PTransform<PCollection<TimeSeries>, ? extends io.prombeam.sink.SinkResult<?>> sink) {
    Pipeline p = Pipeline.create(Runners.options(Runners.DIRECT));
    String bin = "secure-" + UUID.randomUUID();
    p.apply(Create.of(series))
        .apply(sink)
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    return Runners.Collect.get(bin);
  }

  private static List<TimeSeries> series(String name, int count, long t0) {
    List<TimeSeries> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          TimeSeries.builder(name)
              .label("i", Integer.toString(i))
              .sample(t0, i * 1.5)
              .type(MetricType.GAUGE)
              .build());
    }
    return out;
  }

  private static void assertRejectedUnauthorized(List<WriteFailure> failures, int expected) {
    assertEquals(expected, failures.size());
    for (WriteFailure f : failures) {
      assertEquals(FailureReason.REJECTED, f.reason());
      assertEquals(401, f.httpStatus());
      assertEquals("a 401 is not retried", 1, f.attempts());
      assertThat(f.toString(), not(containsString(SECURITY.password)));
      assertThat(f.message(), not(containsString(SECURITY.password)));
    }
  }

  @Test
  public void prometheusRefusesAnonymousClientsAndTakesTheAuthenticatedSink() throws Exception {
    OkHttpClient anonymous = SECURITY.client(false);
    String base = PROMETHEUS.baseUrl();
    assertEquals(
        401, status(anonymous, new Request.Builder().url(base + "/api/v1/query?query=up").build()));
    assertEquals(
        401,
        status(
            anonymous,
            new Request.Builder()
                .url(PROMETHEUS.remoteWriteUrl())
                .post(RequestBody.create(new byte[0], MediaType.get("application/x-protobuf")))
                .build()));

    long t0 = System.currentTimeMillis() - 60_000;
    List<WriteFailure> failures =
        run(
            series("secure_rw", 50, t0),
            PrometheusIO.remoteWrite()
                .withUrl(PROMETHEUS.remoteWriteUrl())
                .withTlsCaFile(SECURITY.caFile())
                .withBasicAuth(SECURITY.user, SECURITY.password));
    assertEquals(List.of(), failures);
    Map<Map<String, String>, TreeMap<Long, Double>> got =
        PROMETHEUS.rawSamples("secure_rw", "5m", System.currentTimeMillis());
    assertEquals(50, got.size());
    for (Map.Entry<Map<String, String>, TreeMap<Long, Double>> e : got.entrySet()) {
      int i = Integer.parseInt(e.getKey().get("i"));
      assertEquals(Map.of(t0, i * 1.5), e.getValue());
    }

    List<WriteFailure> wrongPassword =
        run(
            series("secure_rw_denied", 5, t0),
            PrometheusIO.remoteWrite()
                .withUrl(PROMETHEUS.remoteWriteUrl())
                .withTlsCaFile(SECURITY.caFile())
                .withBasicAuth(SECURITY.user, SECURITY.password + "-wrong"));
    assertRejectedUnauthorized(wrongPassword, 5);
    assertEquals(
        0, PROMETHEUS.rawSamples("secure_rw_denied", "5m", System.currentTimeMillis()).size());
  }

  @Test
  public void untrustedServerCertificateIsAFailureNotASend() {
    long t0 = System.currentTimeMillis() - 60_000;
    List<WriteFailure> failures =
        run(
            series("secure_untrusted", 3, t0),
            PrometheusIO.remoteWrite()
                .withUrl(PROMETHEUS.remoteWriteUrl())
                .withBasicAuth(SECURITY.user, SECURITY.password)
                .withMaxRetries(1)
                .withMinBackoff(org.joda.time.Duration.millis(10)));
    assertEquals(3, failures.size());
    for (WriteFailure f : failures) {
      assertEquals(FailureReason.RETRIES_EXHAUSTED, f.reason());
      assertEquals("no HTTP answer without a trusted handshake", 0, f.httpStatus());
      assertThat(f.message().toLowerCase(), containsString("certificat"));
      assertThat(f.toString(), not(containsString(SECURITY.password)));
    }
  }

  @Test
  public void pushgatewayRefusesAnonymousClientsAndTakesTheAuthenticatedSink() throws Exception {
    OkHttpClient anonymous = SECURITY.client(false);
    assertEquals(
        401,
        status(anonymous, new Request.Builder().url(GATEWAY.url() + "/api/v1/metrics").build()));
    assertEquals(
        401,
        status(
            anonymous,
            new Request.Builder()
                .url(GATEWAY.url() + "/metrics/job/anonymous")
                .put(RequestBody.create("x 1\n", MediaType.get("text/plain")))
                .build()));

    String job = "secure_" + UUID.randomUUID().toString().substring(0, 8);
    List<WriteFailure> failures =
        run(
            series("secure_push", 4, System.currentTimeMillis()),
            PrometheusIO.pushgateway()
                .withUrl(GATEWAY.url())
                .withJob(job)
                .withTlsCaFile(SECURITY.caFile())
                .withBasicAuth(SECURITY.user, SECURITY.password));
    assertEquals(List.of(), failures);
    Map<String, Map<Map<String, String>, String>> group = GATEWAY.group(Map.of("job", job));
    assertNotNull("group pushed over TLS with basic auth", group);
    assertEquals(4, group.get("secure_push").size());

    String deniedJob = job + "_denied";
    assertRejectedUnauthorized(
        run(
            series("secure_push", 2, System.currentTimeMillis()),
            PrometheusIO.pushgateway()
                .withUrl(GATEWAY.url())
                .withJob(deniedJob)
                .withTlsCaFile(SECURITY.caFile())
                .withBasicAuth(SECURITY.user, "not-" + SECURITY.password)),
        2);
    assertEquals(null, GATEWAY.group(Map.of("job", deniedJob)));
  }
}
