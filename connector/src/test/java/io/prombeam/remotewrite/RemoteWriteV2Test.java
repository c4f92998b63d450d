package io.prombeam.remotewrite;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.RemoteWriteV2;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.xerial.snappy.Snappy;

/**
 * Remote-write 2.0 as its specification states the sender's duties, checked on the bytes with
 * protobuf-java's classes generated from our {@code .proto} (a decoder that shares nothing with the
 * one-pass encoder), and the sender's handling of what receivers answer.
 */
public class RemoteWriteV2Test {
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

  /** The usual workload: 10 labels, one of them varying per series. */
  private static List<TimeSeries> workload(int series, int samples) {
    List<TimeSeries> out = new ArrayList<>();
    for (int s = 0; s < series; s++) {
      TimeSeries.Builder b =
          TimeSeries.builder("http_requests_total")
              .label("cluster", "eu-west-1")
              .label("instance", "10.0.0." + (s % 50) + ":9100")
              .label("job", "api")
              .label("method", s % 2 == 0 ? "GET" : "POST")
              .label("namespace", "prod")
              .label("pod", "api-7d9f-" + s)
              .label("route", "/v1/items")
              .label("status", "200")
              .label("zone", "b")
              .metadata(MetricMetadata.of(MetricType.COUNTER, "Requests served.", "requests"));
      for (int i = 0; i < samples; i++) {
        b.sample(1_700_000_000_000L + i * 15_000L, s * 1000 + i);
      }
      out.add(b.build());
    }
    return out;
  }

  private static RemoteWriteV2.Request decode(byte[] raw) throws Exception {
    return RemoteWriteV2.Request.parseFrom(raw);
  }

  @Test
  public void theRequestFollowsTheSpecsSenderRules() throws Exception {
    List<TimeSeries> sent = new ArrayList<>(workload(20, 3));
    sent.add(
        TimeSeries.builder("gone")
            .label("job", "api")
            .staleMarker(1_700_000_000_000L)
            .metadata(MetricMetadata.of(MetricType.GAUGE, "", ""))
            .build());
    byte[] raw = new RemoteWriteV2Encoder().encode(sent);
    RemoteWriteV2.Request req = decode(raw);

    // symbols: "" first, no repeats, every reference inside the table
    List<String> symbols = req.getSymbolsList();
    assertEquals("", symbols.get(0));
    assertEquals("symbols are deduplicated", symbols.size(), new HashSet<>(symbols).size());
    // written before the series, so a streaming receiver resolves references as it reads
    assertEquals("first field", RemoteWriteV2.Request.SYMBOLS_FIELD_NUMBER, (raw[0] & 0xff) >>> 3);

    assertEquals(sent.size(), req.getTimeseriesCount());
    for (int i = 0; i < sent.size(); i++) {
      TimeSeries want = sent.get(i);
      RemoteWriteV2.TimeSeries got = req.getTimeseries(i);
      // labels: pairs of valid refs, sorted by name, no repeated or empty names
      assertEquals(0, got.getLabelsRefsCount() % 2);
      assertEquals(want.labels().size() * 2, got.getLabelsRefsCount());
      String previous = null;
      for (int j = 0; j < got.getLabelsRefsCount(); j += 2) {
        String name = symbols.get(got.getLabelsRefs(j));
        String value = symbols.get(got.getLabelsRefs(j + 1));
        assertEquals(want.labels().name(j / 2), name);
        assertEquals(want.labels().value(j / 2), value);
        assertFalse(name.isEmpty() || value.isEmpty());
        assertTrue(
            "sorted: " + previous + " < " + name, previous == null || previous.compareTo(name) < 0);
        previous = name;
      }
      // samples in timestamp order, values bit for bit (the stale marker too), no histograms
      assertEquals(want.sampleCount(), got.getSamplesCount());
      assertEquals(0, got.getHistogramsCount());
      for (int j = 0; j < want.sampleCount(); j++) {
        RemoteWriteV2.Sample s = got.getSamples(j);
        assertEquals(want.timestamp(j), s.getTimestamp());
        assertEquals(
            Double.doubleToRawLongBits(want.value(j)), Double.doubleToRawLongBits(s.getValue()));
        assertEquals("start timestamp unset", 0, s.getStartTimestamp());
        if (j > 0) {
          assertTrue(got.getSamples(j - 1).getTimestamp() < s.getTimestamp());
        }
      }
      // metadata on every series: type, help and unit by reference, "" when absent
      RemoteWriteV2.Metadata m = got.getMetadata();
      assertEquals("METRIC_TYPE_" + want.metadata().type().name(), m.getType().name());
      assertEquals(want.metadata().help(), symbols.get(m.getHelpRef()));
      assertEquals(want.metadata().unit(), symbols.get(m.getUnitRef()));
    }
    assertTrue(StaleMarker.isStale(req.getTimeseries(20).getSamples(0).getValue()));
    // and our own decoder (the receiver's) gives back what was sent
    for (int i = 0; i < sent.size(); i++) {
      assertEquals(sent.get(i), RemoteWriteCodec.fromProtoV2(req.getTimeseries(i), symbols));
    }
  }

  @Test
  public void seriesOfDifferentLabelCountsInOneRequestKeepTheirOwnLabels() throws Exception {
    // the positional memo of the previous series' labels must not reach past its label count
    List<TimeSeries> sent = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      TimeSeries.Builder b = TimeSeries.builder("m" + (i % 3)).sample(1000, i);
      for (int l = 0; l < (i * 5) % 7; l++) {
        b.label("l" + l, "v" + (l + i % 2));
      }
      sent.add(b.build());
    }
    RemoteWriteV2.Request req = decode(RemoteWriteCodec.encodeV2(sent));
    for (int i = 0; i < sent.size(); i++) {
      RemoteWriteV2.TimeSeries ts = req.getTimeseries(i);
      StringBuilder labels = new StringBuilder();
      for (int r = 0; r < ts.getLabelsRefsCount(); r += 2) {
        labels
            .append(req.getSymbols(ts.getLabelsRefs(r)))
            .append('=')
            .append(req.getSymbols(ts.getLabelsRefs(r + 1)))
            .append(';');
      }
      StringBuilder expected = new StringBuilder();
      for (int l = 0; l < sent.get(i).labels().size(); l++) {
        expected
            .append(sent.get(i).labels().name(l))
            .append('=')
            .append(sent.get(i).labels().value(l))
            .append(';');
      }
      assertEquals(expected.toString(), labels.toString());
    }
  }

  @Test
  public void twoPointOhIsSmallerThanOnePointOhOnTheUsualWorkload() throws Exception {
    List<TimeSeries> series = workload(500, 4); // 2,000 samples: one default request
    byte[] v1 = new RemoteWriteV1Encoder().encode(series);
    byte[] v2 = new RemoteWriteV2Encoder().encode(series);
    double v1PerSample = Snappy.compress(v1).length / 2000.0;
    double v2PerSample = Snappy.compress(v2).length / 2000.0;
    System.out.printf(
        "bytes/sample, snappy: 1.0 %.2f, 2.0 %.2f (raw %d vs %d)%n",
        v1PerSample, v2PerSample, v1.length, v2.length);
    assertThat(v2.length, lessThan(v1.length / 2));
    assertThat(v2PerSample, lessThan(v1PerSample));
  }

  private RemoteWriteClient client(RemoteWriteProtocol protocol) {
    return new RemoteWriteClient(
        HttpEndpoint.create().withUrl(server.url("/api/v1/write").toString()),
        RetryPolicy.forSinks()
            .withMinBackoff(Duration.millis(10))
            .withMaxBackoff(Duration.millis(50))
            .withMaxRetries(3),
        protocol);
  }

  private static MockResponse written(int status, long samples) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader(RemoteWriteClient.SAMPLES_WRITTEN, Long.toString(samples))
        .setHeader(RemoteWriteClient.HISTOGRAMS_WRITTEN, "0")
        .setHeader(RemoteWriteClient.EXEMPLARS_WRITTEN, "0");
  }

  @Test
  public void aTwoPointOhRequestCarriesTheSpecsHeaders() throws Exception {
    server.enqueue(written(204, 6));
    RemoteWriteClient.Delivery d =
        client(RemoteWriteProtocol.V2).write(workload(2, 3), (s, r, delay) -> {}).get(0);
    assertTrue(d.outcome.toString(), d.outcome.success());
    RecordedRequest r = server.takeRequest(1, TimeUnit.SECONDS);
    assertEquals(
        "application/x-protobuf;proto=io.prometheus.write.v2.Request", r.getHeader("Content-Type"));
    assertEquals("2.0.0", r.getHeader("X-Prometheus-Remote-Write-Version"));
    assertEquals("snappy", r.getHeader("Content-Encoding"));
    assertThat(r.getHeader("User-Agent"), containsString("prombeam/"));
    assertEquals(2, decode(Snappy.uncompress(r.getBody().readByteArray())).getTimeseriesCount());
  }

  @Test
  public void aTwoXxWithoutWrittenCountsIsA415AndTheFallbackRemembersOnePointOh() throws Exception {
    // a 1.0 receiver that ignores Content-Type decodes an empty request and answers 204
    server.enqueue(new MockResponse().setResponseCode(204));
    RemoteWriteClient.Delivery strict =
        client(RemoteWriteProtocol.V2).write(workload(1, 1), (s, r, delay) -> {}).get(0);
    assertFalse(strict.outcome.success());
    assertEquals(415, strict.outcome.status());
    assertThat(strict.outcome.message(), containsString("Written"));

    server.enqueue(new MockResponse().setResponseCode(204)); // 2.0 attempt
    server.enqueue(new MockResponse().setResponseCode(204)); // 1.0 resend
    server.enqueue(new MockResponse().setResponseCode(204)); // next request: 1.0 at once
    server.takeRequest(); // the strict one's
    RemoteWriteClient fallback = client(RemoteWriteProtocol.V2_WITH_V1_FALLBACK);
    List<RemoteWriteClient.Delivery> first = fallback.write(workload(1, 1), (s, r, delay) -> {});
    assertEquals(1, first.size());
    assertTrue(first.get(0).outcome.success());
    assertEquals(RemoteWriteProtocol.V1, first.get(0).protocol);
    assertThat(server.takeRequest().getHeader("Content-Type"), containsString("v2"));
    assertEquals("application/x-protobuf", server.takeRequest().getHeader("Content-Type"));
    assertTrue(fallback.write(workload(1, 1), (s, r, delay) -> {}).get(0).outcome.success());
    RecordedRequest third = server.takeRequest();
    assertEquals("0.1.0", third.getHeader("X-Prometheus-Remote-Write-Version"));
    assertEquals(
        workload(1, 1), RemoteWriteCodec.decodeWriteRequest(third.getBody().readByteArray()));
  }

  @Test
  public void a415FallsBackToo() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(415).setBody("v2 not supported"));
    server.enqueue(new MockResponse().setResponseCode(204));
    MockWebServer other = server; // a fresh URL: the memory is per endpoint
    RemoteWriteClient c =
        new RemoteWriteClient(
            HttpEndpoint.create().withUrl(other.url("/other/write").toString()),
            RetryPolicy.forSinks(),
            RemoteWriteProtocol.V2_WITH_V1_FALLBACK);
    RemoteWriteClient.Delivery d = c.write(workload(1, 2), (s, r, delay) -> {}).get(0);
    assertTrue(d.outcome.toString(), d.outcome.success());
    assertEquals(RemoteWriteProtocol.V1, d.protocol);
    assertEquals(2, server.getRequestCount());
  }

  @Test
  public void partialWritesAreFailuresNamingTheCounts() throws Exception {
    server.enqueue(written(400, 4).setBody("2 samples out of order"));
    RemoteWriteClient.Delivery refused =
        client(RemoteWriteProtocol.V2).write(workload(2, 3), (s, r, delay) -> {}).get(0);
    assertFalse(refused.outcome.success());
    assertEquals(400, refused.outcome.status());
    assertThat(refused.outcome.message(), containsString("2 samples out of order"));
    assertThat(refused.outcome.message(), containsString("wrote 4 of 6 samples"));

    server.enqueue(written(204, 5)); // a receiver claiming success but writing less
    RemoteWriteClient.Delivery short2xx =
        client(RemoteWriteProtocol.V2).write(workload(2, 3), (s, r, delay) -> {}).get(0);
    assertFalse(short2xx.outcome.success());
    assertThat(short2xx.outcome.message(), containsString("wrote 5 of 6 samples"));
  }

  @Test
  public void retryClassesAreTheSpecs() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(408));
    server.enqueue(new MockResponse().setResponseCode(503));
    server.enqueue(written(204, 1));
    assertTrue(
        client(RemoteWriteProtocol.V2)
            .write(workload(1, 1), (s, r, d) -> {})
            .get(0)
            .outcome
            .success());
    assertEquals("408 and 5xx are retried", 3, server.getRequestCount());
    for (int status : new int[] {400, 401, 404, 413}) {
      int before = server.getRequestCount();
      server.enqueue(new MockResponse().setResponseCode(status));
      RemoteWriteClient.Delivery d =
          client(RemoteWriteProtocol.V2).write(workload(1, 1), (s, r, x) -> {}).get(0);
      assertEquals(status, d.outcome.status());
      assertEquals(status + " is never retried", before + 1, server.getRequestCount());
    }
  }

  @Test
  public void requestsOverTheByteBoundAreSplitBetweenSeriesAndInTimeOrder() throws Exception {
    for (int i = 0; i < 20; i++) {
      server.enqueue(written(204, 1_000_000));
    }
    int bound = 4096;
    RemoteWriteClient c =
        new RemoteWriteClient(
            HttpEndpoint.create().withUrl(server.url("/api/v1/write").toString()),
            RetryPolicy.forSinks(),
            RemoteWriteProtocol.V1,
            bound);
    // ten series of 30 samples (~10 KiB in 1.0), and one series of 400 samples alone
    List<RemoteWriteClient.Delivery> many = c.write(workload(10, 30), (s, r, d) -> {});
    assertTrue(many.size() > 1);
    List<TimeSeries> got = new ArrayList<>();
    for (RemoteWriteClient.Delivery d : many) {
      assertTrue(d.outcome.success());
      RecordedRequest r = server.takeRequest();
      assertThat(
          Snappy.uncompressedLength(r.getBody().peek().readByteArray()), lessThanOrEqualTo(bound));
      got.addAll(RemoteWriteCodec.decodeWriteRequest(r.getBody().readByteArray()));
    }
    assertEquals(workload(10, 30), got);

    TimeSeries big = workload(1, 400).get(0);
    List<RemoteWriteClient.Delivery> parts = c.write(List.of(big), (s, r, d) -> {});
    assertTrue(parts.size() > 1);
    long lastTimestamp = Long.MIN_VALUE;
    int samples = 0;
    for (RemoteWriteClient.Delivery d : parts) {
      RecordedRequest r = server.takeRequest();
      assertThat(
          Snappy.uncompressedLength(r.getBody().peek().readByteArray()), lessThanOrEqualTo(bound));
      TimeSeries part = RemoteWriteCodec.decodeWriteRequest(r.getBody().readByteArray()).get(0);
      assertTrue("in time order", part.timestamp(0) > lastTimestamp);
      lastTimestamp = part.timestamp(part.sampleCount() - 1);
      samples += part.sampleCount();
    }
    assertEquals(400, samples);
  }
}
