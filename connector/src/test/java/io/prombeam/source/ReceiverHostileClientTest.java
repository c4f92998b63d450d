package io.prombeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.beam.sdk.io.UnboundedSource;
import org.junit.After;
import org.junit.Test;
import org.xerial.snappy.Snappy;

/**
 * {@code receive()} against senders that are careless or hostile: every request gets the HTTP
 * answer its fault calls for, limits hold before the work they protect, and the valid part of a
 * mixed request is taken once.
 */
public class ReceiverHostileClientTest {
  private static final OkHttpClient HTTP =
      new OkHttpClient.Builder().readTimeout(30, TimeUnit.SECONDS).build();

  private ReceiverHarness receiver;
  private UnboundedSource.UnboundedReader<TimeSeries> reader;
  private int port;

  @After
  public void close() throws Exception {
    if (receiver != null) {
      receiver.close();
    }
  }

  private void start(ReceiverLimits limits, AckMode ack) throws Exception {
    receiver = new ReceiverHarness(limits, ack);
    reader = receiver.reader;
    port = receiver.port;
  }

  private static ReceiverLimits limits(
      long maxRequest, int maxDecoded, int maxSeries, long inFlight) {
    return new ReceiverLimits(maxRequest, maxDecoded, maxSeries, inFlight, null, null, null);
  }

  private Response post(String path, byte[] body, String encoding, String type) throws Exception {
    Request.Builder r =
        new Request.Builder()
            .url("http://127.0.0.1:" + port + path)
            .post(RequestBody.create(body, MediaType.get(type)));
    if (encoding != null) {
      r.header("Content-Encoding", encoding);
    }
    return HTTP.newCall(r.build()).execute();
  }

  private int status(String path, byte[] body, String encoding, String type) throws Exception {
    try (Response r = post(path, body, encoding, type)) {
      return r.code();
    }
  }

  static byte[] request(List<TimeSeries> series) {
    return RemoteWriteCodec.encodeV1Compressed(series);
  }

  static TimeSeries series(int i) {
    return TimeSeries.builder("m").label("i", Integer.toString(i)).sample(1000, i).build();
  }

  private List<TimeSeries> drain(long quietMillis) throws Exception {
    return receiver.drain(quietMillis);
  }

  @Test
  public void wrongPathsMethodsAndMediaTypesAreRefusedWithTheirStatus() throws Exception {
    start(ReceiverSourceTest.limits(), AckMode.ON_READ);
    byte[] ok = request(List.of(series(1)));
    assertEquals(404, status("/api/v1/writeX", ok, "snappy", "application/x-protobuf"));
    assertEquals(404, status("/api/v1/write/extra", ok, "snappy", "application/x-protobuf"));
    assertEquals(404, status("/", ok, "snappy", "application/x-protobuf"));
    try (Response r =
        HTTP.newCall(
                new Request.Builder().url("http://127.0.0.1:" + port + "/api/v1/write").build())
            .execute()) {
      assertEquals(405, r.code());
      assertEquals("POST", r.header("Allow"));
    }
    assertEquals(415, status("/api/v1/write", ok, null, "application/x-protobuf"));
    assertEquals(415, status("/api/v1/write", ok, "gzip", "application/x-protobuf"));
    assertEquals(415, status("/api/v1/write", ok, "snappy", "application/json"));
    assertEquals(
        415,
        status(
            "/api/v1/write",
            ok,
            "snappy",
            "application/x-protobuf;proto=io.prometheus.write.v3.Request"));
    assertEquals("nothing of the refused requests reached the pipeline", List.of(), drain(300));
  }

  @Test
  public void oversizeBodiesAndBombsAre413BeforeTheWorkTheyWouldCost() throws Exception {
    start(limits(64 << 10, 1 << 20, 3, 64L << 20), AckMode.ON_READ);
    // a declared 1 GiB body: answered from the headers alone, nothing read
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(10_000);
      OutputStream out = raw.getOutputStream();
      out.write(
          ("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
                  + "Content-Type: application/x-protobuf\r\nContent-Length: 1073741824\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(raw.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 413", answer);
    }
    // a chunked body that turns out larger than the limit
    byte[] big = new byte[100 << 10];
    new java.util.Random(1).nextBytes(big);
    Request chunked =
        new Request.Builder()
            .url("http://127.0.0.1:" + port + "/api/v1/write")
            .header("Content-Encoding", "snappy")
            .post(
                new RequestBody() {
                  @Override
                  public MediaType contentType() {
                    return MediaType.get("application/x-protobuf");
                  }

                  @Override
                  public long contentLength() {
                    return -1; // chunked
                  }

                  @Override
                  public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
                    sink.write(big);
                  }
                })
            .build();
    try (Response r = HTTP.newCall(chunked).execute()) {
      assertEquals(413, r.code());
    }
    // a snappy bomb: ~57 KB that would inflate to 1.2 MB, over the 1 MB decoded limit
    byte[] bomb = Snappy.compress(new byte[1_200_000]);
    assertTrue(bomb.length < 64 << 10);
    try (Response r = post("/api/v1/write", bomb, "snappy", "application/x-protobuf")) {
      assertEquals(413, r.code());
      assertThat(r.body().string(), containsString("decodes to 1200000 bytes"));
    }
    // four series over a limit of three
    assertEquals(
        413,
        status(
            "/api/v1/write",
            request(List.of(series(1), series(2), series(3), series(4))),
            "snappy",
            "application/x-protobuf"));
    assertEquals(List.of(), drain(300));
  }

  @Test
  public void aMixedRequestKeepsItsValidSeriesOnceAndNamesTheInvalidOnes() throws Exception {
    start(ReceiverSourceTest.limits(), AckMode.ON_READ);
    PrometheusRemote.WriteRequest.Builder req = PrometheusRemote.WriteRequest.newBuilder();
    for (int i = 0; i < 3; i++) { // valid
      req.addTimeseries(
          PrometheusRemote.TimeSeries.newBuilder()
              .addLabels(label("__name__", "m"))
              .addLabels(label("i", "" + i))
              .addSamples(PrometheusRemote.Sample.newBuilder().setTimestamp(1000).setValue(i)));
    }
    req.addTimeseries( // invalid: a label name starting with a digit
        PrometheusRemote.TimeSeries.newBuilder()
            .addLabels(label("__name__", "m"))
            .addLabels(label("0bad", "x"))
            .addSamples(PrometheusRemote.Sample.newBuilder().setTimestamp(1000).setValue(9)));
    req.addTimeseries( // a native histogram: carried
        PrometheusRemote.TimeSeries.newBuilder()
            .addLabels(label("__name__", "h"))
            .addHistograms(
                PrometheusRemote.Histogram.newBuilder()
                    .setCountInt(1)
                    .setZeroCountInt(1)
                    .setTimestamp(1000)));
    CompletableFuture<String> answer =
        CompletableFuture.supplyAsync(
            () -> {
              try (Response r =
                  post(
                      "/api/v1/write",
                      Snappy.compress(req.build().toByteArray()),
                      "snappy",
                      "application/x-protobuf")) {
                return r.code() + " " + r.body().string();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    List<TimeSeries> got = drain(1000);
    assertEquals("the valid series, once", 4, got.size());
    assertEquals(
        1.0,
        got.stream().filter(TimeSeries::hasHistograms).findFirst().get().histogram(0).zeroCount(),
        0);
    String text = answer.get(10, TimeUnit.SECONDS);
    assertThat(text, containsString("400 1 series refused, 4 taken"));
    assertThat(text, containsString("0bad"));
    assertEquals(List.of(), drain(300));
  }

  private static PrometheusRemote.Label label(String name, String value) {
    return PrometheusRemote.Label.newBuilder().setName(name).setValue(value).build();
  }

  @Test
  public void aFullInFlightBudgetIsA503WithRetryAfter() throws Exception {
    // 2 KB in flight at most; the first request waits for its ack, holding its bytes
    start(limits(1 << 20, 1 << 20, 100_000, 2_000), AckMode.ON_CHECKPOINT);
    List<TimeSeries> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(series(i));
    }
    byte[] body = request(many);
    assertTrue(Snappy.uncompressedLength(body) > 1_000);
    CompletableFuture<Integer> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return status("/api/v1/write", body, "snappy", "application/x-protobuf");
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    Thread.sleep(500);
    try (Response r = post("/api/v1/write", body, "snappy", "application/x-protobuf")) {
      assertEquals(503, r.code());
      assertEquals("1", r.header("Retry-After"));
    }
    assertEquals(40, drain(300).size());
    reader.getCheckpointMark().finalizeCheckpoint();
    assertEquals(204, (int) first.get(10, TimeUnit.SECONDS));
  }

  @Test
  public void stoppingAnswersWaitingSendersWith503() throws Exception {
    start(ReceiverSourceTest.limits(), AckMode.ON_CHECKPOINT);
    CompletableFuture<Integer> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return status(
                    "/api/v1/write",
                    request(List.of(series(1))),
                    "snappy",
                    "application/x-protobuf");
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    Thread.sleep(500);
    receiver.close(); // the last reader: the server stops after its grace period
    assertEquals(503, (int) waiting.get(20, TimeUnit.SECONDS));
  }

  @Test
  public void aReceiverWithACertificateServesHttpsOnly() throws Exception {
    okhttp3.tls.HeldCertificate cert =
        new okhttp3.tls.HeldCertificate.Builder()
            .commonName("127.0.0.1")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("receiver-tls");
    java.nio.file.Path pem = dir.resolve("server.pem");
    java.nio.file.Files.writeString(pem, cert.certificatePem() + cert.privateKeyPkcs8Pem());
    start(ReceiverSourceTest.limits().withTls(pem.toString(), null), AckMode.ON_READ);
    okhttp3.tls.HandshakeCertificates trust =
        new okhttp3.tls.HandshakeCertificates.Builder()
            .addTrustedCertificate(cert.certificate())
            .build();
    OkHttpClient tls =
        HTTP.newBuilder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager()).build();
    CompletableFuture<Integer> sent =
        CompletableFuture.supplyAsync(
            () -> {
              try (Response r =
                  tls.newCall(
                          new Request.Builder()
                              .url("https://127.0.0.1:" + port + "/api/v1/write")
                              .header("Content-Encoding", "snappy")
                              .post(
                                  RequestBody.create(
                                      request(List.of(series(7))),
                                      MediaType.get("application/x-protobuf")))
                              .build())
                      .execute()) {
                return r.code();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    assertEquals(List.of(series(7)), drain(500));
    assertEquals(204, (int) sent.get(10, TimeUnit.SECONDS));
    try {
      status("/api/v1/write", request(List.of(series(8))), "snappy", "application/x-protobuf");
      org.junit.Assert.fail("plain HTTP to the TLS receiver was answered");
    } catch (java.io.IOException expected) {
      // the TLS server does not speak plain HTTP
    }
    assertEquals(List.of(), drain(300));
  }

  @Test
  public void sendersMustAuthenticateWhenTheReceiverAsks() throws Exception {
    start(
        new ReceiverLimits(
            1 << 20,
            1 << 20,
            1000,
            64L << 20,
            null,
            null,
            io.prombeam.http.Secret.of("s3cret-token")),
        AckMode.ON_READ);
    byte[] body = request(List.of(series(1)));
    try (Response r = post("/api/v1/write", body, "snappy", "application/x-protobuf")) {
      assertEquals(401, r.code());
      assertEquals("Bearer", r.header("WWW-Authenticate"));
    }
    Request wrong =
        new Request.Builder()
            .url("http://127.0.0.1:" + port + "/api/v1/write")
            .header("Content-Encoding", "snappy")
            .header("Authorization", "Bearer s3cret-tokem")
            .post(RequestBody.create(body, MediaType.get("application/x-protobuf")))
            .build();
    try (Response r = HTTP.newCall(wrong).execute()) {
      assertEquals(401, r.code());
    }
    CompletableFuture<Integer> right =
        CompletableFuture.supplyAsync(
            () -> {
              try (Response r =
                  HTTP.newCall(
                          wrong.newBuilder().header("Authorization", "Bearer s3cret-token").build())
                      .execute()) {
                return r.code();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    assertEquals(1, drain(500).size());
    assertEquals(204, (int) right.get(10, TimeUnit.SECONDS));
  }
}
