package io.prombeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteClient;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.RemoteWriteProtocol;
import io.prombeam.remotewrite.proto.RemoteWriteV2;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.After;
import org.junit.Test;

/**
 * {@code receive()} takes remote-write 2.0: from prombeam's own 2.0 sender end to end, and from
 * requests built field by field with the generated classes, answering with the written counts the
 * spec requires and refusing what it breaks.
 */
public class ReceiverV2Test {
  private ReceiverHarness receiver;

  @After
  public void close() throws Exception {
    if (receiver != null) {
      receiver.close();
    }
  }

  /** Counters with start timestamps, and every third series native histograms and an exemplar. */
  private static List<TimeSeries> series(int n) {
    List<TimeSeries> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % 3 == 2) {
        out.add(
            TimeSeries.builder("v2_seconds")
                .label("i", Integer.toString(i))
                .histogram(
                    1_700_000_000_000L,
                    NativeHistogram.builder(2).sum(i).positiveBucket(i, 3).zeroCount(1).build())
                .histogram(
                    1_700_000_015_000L,
                    NativeHistogram.builder(2).sum(2 * i).positiveBucket(i, 5).zeroCount(2).build())
                .exemplar(Exemplar.of(Labels.of("trace_id", "t" + i), i, 1_700_000_001_000L))
                .build());
        continue;
      }
      out.add(
          TimeSeries.builder("v2_total")
              .label("i", Integer.toString(i))
              .label("job", "recv")
              .sample(1_700_000_000_000L, i, 1_699_999_000_000L)
              .sample(1_700_000_015_000L, i + 1, 1_699_999_000_000L)
              .metadata(MetricMetadata.of(MetricType.COUNTER, "Things.", "things"))
              .build());
    }
    return out;
  }

  @Test
  public void ourTwoPointOhSenderIsReceivedWithMetadataHistogramsExemplarsAndStartTimestamps()
      throws Exception {
    receiver = new ReceiverHarness(ReceiverSourceTest.limits(), AckMode.ON_READ);
    RemoteWriteClient client =
        new RemoteWriteClient(
            HttpEndpoint.create().withUrl("http://127.0.0.1:" + receiver.port + "/api/v1/write"),
            RetryPolicy.forSinks(),
            RemoteWriteProtocol.V2);
    CompletableFuture<RemoteWriteClient.Delivery> sent =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return client.write(series(30), (s, r, d) -> {}).get(0);
              } catch (InterruptedException e) {
                throw new RuntimeException(e);
              }
            });
    List<TimeSeries> got = receiver.drain(500);
    if (got.isEmpty()) {
      throw new AssertionError(sent.get(10, TimeUnit.SECONDS).outcome.toString());
    }
    assertEquals(series(30), got);
    RemoteWriteClient.Delivery d = sent.get(10, TimeUnit.SECONDS);
    assertTrue(d.outcome.toString(), d.outcome.success());
    assertEquals(RemoteWriteProtocol.V2, d.protocol);
    assertEquals("40", d.outcome.header("X-Prometheus-Remote-Write-Samples-Written"));
    assertEquals("20", d.outcome.header("X-Prometheus-Remote-Write-Histograms-Written"));
    assertEquals("10", d.outcome.header("X-Prometheus-Remote-Write-Exemplars-Written"));
  }

  @Test
  public void ourOnePointOhSenderIsReceivedWholeToo() throws Exception {
    // 1.0 sends a histogram series' exemplars in an entry of their own, and a staleness marker
    // after histograms in another: the receiver puts each series back together
    receiver = new ReceiverHarness(ReceiverSourceTest.limits(), AckMode.ON_READ);
    RemoteWriteClient client =
        new RemoteWriteClient(
            HttpEndpoint.create().withUrl("http://127.0.0.1:" + receiver.port + "/api/v1/write"),
            RetryPolicy.forSinks(),
            RemoteWriteProtocol.V1);
    List<TimeSeries> sent = new ArrayList<>(series(9));
    sent.add(
        TimeSeries.builder("v1_seconds")
            .histogram(1_700_000_000_000L, NativeHistogram.builder(0).positiveBucket(1, 2).build())
            .staleMarker(1_700_000_030_000L)
            .exemplar(Exemplar.of(Labels.of("trace_id", "s"), 1.5, 1_700_000_000_500L))
            .build());
    CompletableFuture<RemoteWriteClient.Delivery> delivery =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return client.write(sent, (s, r, d) -> {}).get(0);
              } catch (InterruptedException e) {
                throw new RuntimeException(e);
              }
            });
    List<TimeSeries> got = receiver.drain(500);
    RemoteWriteClient.Delivery d = delivery.get(10, TimeUnit.SECONDS);
    assertTrue(d.outcome.toString(), d.outcome.success());
    java.util.Set<TimeSeries> expected = new java.util.HashSet<>();
    for (TimeSeries ts : sent) {
      // 1.0 has no start timestamps: the counters come back without them
      TimeSeries.Builder b = TimeSeries.builder(ts.labels()).metadata(ts.metadata());
      for (int i = 0; i < ts.sampleCount(); i++) {
        if (ts.histogram(i) != null) {
          b.histogram(ts.timestamp(i), ts.histogram(i));
        } else {
          b.sample(ts.timestamp(i), ts.value(i));
        }
      }
      expected.add(b.exemplars(ts).build());
    }
    assertEquals(expected, new java.util.HashSet<>(got));
  }

  private Response postV2(RemoteWriteV2.Request req) throws Exception {
    OkHttpClient http = new OkHttpClient.Builder().readTimeout(20, TimeUnit.SECONDS).build();
    return http.newCall(
            new Request.Builder()
                .url("http://127.0.0.1:" + receiver.port + "/api/v1/write")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "2.0.0")
                .post(
                    RequestBody.create(
                        RemoteWriteCodec.compress(req.toByteArray()),
                        MediaType.get(
                            "application/x-protobuf;proto=io.prometheus.write.v2.Request")))
                .build())
        .execute();
  }

  @Test
  public void histogramsAndExemplarsAreCarriedAndBrokenSeriesRefusedWithTheCountsWritten()
      throws Exception {
    receiver = new ReceiverHarness(ReceiverSourceTest.limits(), AckMode.ON_READ);
    RemoteWriteV2.Request req =
        RemoteWriteV2.Request.newBuilder()
            .addSymbols("")
            .addSymbols("__name__")
            .addSymbols("ok_metric")
            .addSymbols("h_metric")
            .addSymbols("trace_id")
            .addSymbols("t1")
            .addTimeseries( // valid: taken
                RemoteWriteV2.TimeSeries.newBuilder()
                    .addLabelsRefs(1)
                    .addLabelsRefs(2)
                    .addSamples(RemoteWriteV2.Sample.newBuilder().setValue(5).setTimestamp(1000)))
            .addTimeseries( // a reference past the symbols
                RemoteWriteV2.TimeSeries.newBuilder()
                    .addLabelsRefs(1)
                    .addLabelsRefs(99)
                    .addSamples(RemoteWriteV2.Sample.newBuilder().setValue(1).setTimestamp(1000)))
            .addTimeseries( // a native histogram with an exemplar: taken
                RemoteWriteV2.TimeSeries.newBuilder()
                    .addLabelsRefs(1)
                    .addLabelsRefs(3)
                    .addHistograms(
                        RemoteWriteV2.Histogram.newBuilder()
                            .setCountInt(3)
                            .setZeroCountInt(1)
                            .addPositiveSpans(
                                RemoteWriteV2.BucketSpan.newBuilder().setOffset(2).setLength(1))
                            .addPositiveDeltas(2)
                            .setSum(4.5)
                            .setTimestamp(1000))
                    .addExemplars(
                        RemoteWriteV2.Exemplar.newBuilder()
                            .addLabelsRefs(4)
                            .addLabelsRefs(5)
                            .setValue(2.25)
                            .setTimestamp(990)))
            .addTimeseries( // a histogram whose buckets do not add up to its count
                RemoteWriteV2.TimeSeries.newBuilder()
                    .addLabelsRefs(1)
                    .addLabelsRefs(3)
                    .addHistograms(
                        RemoteWriteV2.Histogram.newBuilder().setCountInt(3).setTimestamp(2000)))
            .build();
    CompletableFuture<Response> answer =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return postV2(req);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    List<TimeSeries> got = receiver.drain(500);
    NativeHistogram h =
        NativeHistogram.builder(0).count(3).zeroCount(1).sum(4.5).positiveBucket(2, 2).build();
    assertEquals(
        List.of(
            TimeSeries.builder("ok_metric").sample(1000, 5).build(),
            TimeSeries.builder("h_metric")
                .histogram(1000, h)
                .exemplar(Exemplar.of(Labels.of("trace_id", "t1"), 2.25, 990))
                .build()),
        got);
    try (Response r = answer.get(10, TimeUnit.SECONDS)) {
      assertEquals(400, r.code());
      assertEquals("1", r.header("X-Prometheus-Remote-Write-Samples-Written"));
      assertEquals("1", r.header("X-Prometheus-Remote-Write-Histograms-Written"));
      assertEquals("1", r.header("X-Prometheus-Remote-Write-Exemplars-Written"));
      String text = r.body().string();
      assertThat(text, containsString("2 series refused, 2 taken"));
      assertThat(text, containsString("symbol reference 99 outside the 6 symbols"));
      assertThat(
          text, containsString("INVALID_HISTOGRAM: 0.0 observations in buckets but a count"));
    }

    RemoteWriteV2.Request noEmptyFirst =
        RemoteWriteV2.Request.newBuilder().addSymbols("__name__").build();
    try (Response r = postV2(noEmptyFirst)) {
      assertEquals(400, r.code());
      assertThat(r.body().string(), containsString("first symbol must be the empty string"));
    }
  }
}
