package io.prombeam.remotewrite;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.FailurePolicy;
import io.prombeam.sink.FailureReason;
import io.prombeam.sink.SeriesNotDeliveredException;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * The sink in a DirectRunner pipeline against a scripted server: the bytes and headers on the wire,
 * delivery under injected faults, and the failure output.
 */
public class RemoteWriteSinkTest {
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

  private RemoteWrite sink() {
    return PrometheusIO.remoteWrite()
        .withUrl(server.url("/custom/path/write").toString())
        .withMinBackoff(Duration.millis(20))
        .withMaxBackoff(Duration.millis(200))
        .withBatchSendDeadline(Duration.millis(500));
  }

  private List<RecordedRequest> drain() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      out.add(r);
    }
    return out;
  }

  private static List<TimeSeries> decode(RecordedRequest r) throws Exception {
    return RemoteWriteCodec.decodeWriteRequest(r.getBody().readByteArray());
  }

  @Test
  public void sendsSpecCompliantRequestsCarryingEverySample() throws Exception {
    server.setDispatcher(always(204));
    List<TimeSeries> input = new ArrayList<>();
    for (int s = 0; s < 50; s++) {
      // samples given out of order inside the element: the model sorts them
      TimeSeries.Builder b = TimeSeries.builder("req_total").label("s", "" + s);
      for (int i = 0; i < 10; i++) {
        b.sample(1000L * (10 - i), 10 - i);
      }
      input.add(b.build());
      // and a second element of the same series, merged into one entry when batched together
      input.add(TimeSeries.builder("req_total").label("s", "" + s).sample(20_000L, 20).build());
    }
    PCollection<WriteFailure> failures =
        pipeline
            .apply(Create.of(input))
            .apply(sink().withShards(3).withMaxSamplesPerSend(7))
            .getFailures();
    // bounded input: each series is merged whole before it is sent, whatever order Beam hands over
    PAssert.that(failures).empty();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    Map<String, List<Long>> seen = new HashMap<>();
    int samples = 0;
    for (RecordedRequest r : drain()) {
      assertEquals("POST", r.getMethod());
      assertEquals("/custom/path/write", r.getPath());
      assertEquals("snappy", r.getHeader("Content-Encoding"));
      assertEquals("application/x-protobuf", r.getHeader("Content-Type"));
      assertEquals("0.1.0", r.getHeader("X-Prometheus-Remote-Write-Version"));
      assertThat(r.getHeader("User-Agent"), containsString("prombeam/"));
      List<TimeSeries> req = decode(r);
      java.util.Set<Object> labelSets = new java.util.HashSet<>();
      int inRequest = 0;
      for (TimeSeries ts : req) {
        assertTrue("one entry per series in a request", labelSets.add(ts.labels()));
        for (int i = 0; i < ts.sampleCount(); i++) {
          if (i > 0) {
            assertTrue("sorted within the series", ts.timestamp(i) > ts.timestamp(i - 1));
          }
          seen.computeIfAbsent(ts.labels().get("s"), k -> new ArrayList<>()).add(ts.timestamp(i));
        }
        inRequest += ts.sampleCount();
      }
      assertTrue(inRequest <= 7);
      samples += inRequest;
    }
    assertEquals(550, samples);
    assertEquals(samples, counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT));
    assertEquals(50, seen.size());
    for (List<Long> ts : seen.values()) {
      for (int i = 1; i < ts.size(); i++) {
        assertTrue(
            "every series strictly in timestamp order across requests: " + ts,
            ts.get(i) > ts.get(i - 1));
      }
    }
  }

  @Test
  public void deliversExactlyOnceAfterThree500s() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(500));
    server.enqueue(new MockResponse().setResponseCode(500));
    server.enqueue(new MockResponse().setResponseCode(500));
    server.enqueue(new MockResponse().setResponseCode(204));
    TimeSeries ts = TimeSeries.builder("m").label("a", "b").sample(5000, 1).build();
    PCollection<WriteFailure> failures =
        pipeline.apply(Create.of(ts)).apply(sink().withShards(1)).getFailures();
    PAssert.that(failures).empty();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    List<RecordedRequest> reqs = drain();
    assertEquals(4, reqs.size());
    for (RecordedRequest r : reqs) {
      assertEquals(List.of(ts), decode(r)); // the same request each time
    }
    assertEquals(1, counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT));
    assertEquals(3, counter(result, PrombeamCounter.REMOTE_WRITE_RETRIES));
    assertEquals(0, counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED));
  }

  @Test
  public void a400IsNotRetriedAndLandsInFailuresWithTheBody() throws Exception {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse().setResponseCode(400).setBody("out of bounds");
          }
        });
    TimeSeries a = TimeSeries.builder("m").label("a", "1").sample(1, 1).build();
    TimeSeries b = TimeSeries.builder("m").label("a", "2").sample(1, 2).build();
    PCollection<WriteFailure> failures =
        pipeline.apply(Create.of(a, b)).apply(sink().withShards(1)).getFailures();
    PAssert.that(failures)
        .containsInAnyOrder(
            new WriteFailure(a, FailureReason.REJECTED, null, 400, "out of bounds", 1),
            new WriteFailure(b, FailureReason.REJECTED, null, 400, "out of bounds", 1));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    // each series was tried exactly once, in one request or two
    List<TimeSeries> tried = new ArrayList<>();
    for (RecordedRequest r : drain()) {
      tried.addAll(decode(r));
    }
    assertEquals(2, tried.size());
    assertTrue(tried.contains(a) && tried.contains(b));
    assertEquals(2, counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED));
  }

  @Test
  public void exhaustedRetriesLandInFailures() throws Exception {
    server.setDispatcher(always(503));
    TimeSeries a = TimeSeries.builder("m").sample(1, 1).build();
    PCollection<WriteFailure> failures =
        pipeline.apply(Create.of(a)).apply(sink().withShards(1).withMaxRetries(2)).getFailures();
    PAssert.that(failures)
        .containsInAnyOrder(new WriteFailure(a, FailureReason.RETRIES_EXHAUSTED, null, 503, "", 3));
    pipeline.run().waitUntilFinish();
    assertEquals(3, drain().size());
  }

  @Test
  public void invalidSeriesNeverReachTheWireAndNameTheRule() throws Exception {
    server.setDispatcher(always(204));
    TimeSeries good = TimeSeries.builder("good").sample(1, 1).build();
    TimeSeries badName = TimeSeries.builder("bad-name").sample(1, 1).build();
    TimeSeries badLabel = TimeSeries.builder("m").label("__secret", "x").sample(1, 1).build();
    PCollection<WriteFailure> failures =
        pipeline.apply(Create.of(good, badName, badLabel)).apply(sink()).getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              Map<String, SeriesRule> rules = new HashMap<>();
              for (WriteFailure f : fs) {
                assertEquals(FailureReason.INVALID_SERIES, f.reason());
                assertEquals(0, f.attempts());
                rules.put(f.series().metricName(), f.rule());
                assertThat(f.message(), containsString(f.rule().name()));
              }
              assertEquals(SeriesRule.INVALID_METRIC_NAME, rules.get("bad-name"));
              assertEquals(SeriesRule.RESERVED_LABEL_NAME, rules.get("m"));
              return null;
            });
    pipeline.run().waitUntilFinish();
    List<TimeSeries> sent = new ArrayList<>();
    for (RecordedRequest r : drain()) {
      sent.addAll(decode(r));
    }
    assertEquals(List.of(good), sent);
  }

  @Test
  public void acceptsWindowedInputAndReportsFailuresOfEveryKind() throws Exception {
    server.setDispatcher(always(400));
    TimeSeries bad = TimeSeries.builder("bad name").sample(1, 1).build();
    TimeSeries rejected = TimeSeries.builder("m").sample(15_000, 1).build();
    PCollection<WriteFailure> failures =
        pipeline
            .apply(
                Create.timestamped(
                    org.apache.beam.sdk.values.TimestampedValue.of(
                        bad, new org.joda.time.Instant(1)),
                    org.apache.beam.sdk.values.TimestampedValue.of(
                        rejected, new org.joda.time.Instant(15_000))))
            .apply(
                org.apache.beam.sdk.transforms.windowing.Window.into(
                    org.apache.beam.sdk.transforms.windowing.FixedWindows.of(
                        Duration.standardSeconds(10))))
            .apply(sink())
            .getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              List<FailureReason> reasons = new ArrayList<>();
              fs.forEach(f -> reasons.add(f.reason()));
              reasons.sort(null);
              assertEquals(List.of(FailureReason.INVALID_SERIES, FailureReason.REJECTED), reasons);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void failPipelinePolicyFailsWithTheReceiversMessage() {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse()
                .setResponseCode(400)
                .setBody("duplicate sample for timestamp");
          }
        });
    pipeline
        .apply(Create.of(TimeSeries.builder("m").sample(1, 1).build()))
        .apply(sink().withFailurePolicy(FailurePolicy.FAIL_PIPELINE));
    Exception e = assertThrows(Exception.class, () -> pipeline.run().waitUntilFinish());
    assertThat(stackText(e), containsString("duplicate sample for timestamp"));
    SeriesNotDeliveredException cause = notDelivered(e);
    assertEquals(FailureReason.REJECTED, cause.failure().reason());
    assertEquals(400, cause.failure().httpStatus());
  }

  @Test
  public void failPipelinePolicyFailsAnInvalidSeriesWithTheSameExceptionNamingTheRule() {
    pipeline
        .apply(Create.of(TimeSeries.builder("m").label("0bad", "x").sample(1, 1).build()))
        .apply(sink().withFailurePolicy(FailurePolicy.FAIL_PIPELINE));
    Exception e = assertThrows(Exception.class, () -> pipeline.run().waitUntilFinish());
    SeriesNotDeliveredException cause = notDelivered(e);
    assertEquals(FailureReason.INVALID_SERIES, cause.failure().reason());
    assertThat(cause.getMessage(), containsString("0bad"));
    assertEquals("nothing was sent", 0, server.getRequestCount());
  }

  private static SeriesNotDeliveredException notDelivered(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SeriesNotDeliveredException) {
        return (SeriesNotDeliveredException) t;
      }
    }
    throw new AssertionError("no SeriesNotDeliveredException in the causes of " + e, e);
  }

  @Test
  public void displayDataShowsKnobsButNoCredentials() {
    RemoteWrite w =
        sink()
            .withBasicAuth("bob", "hunter2-secret")
            .withHeader("X-Scope-OrgID", "tenant-42")
            .withMaxSamplesPerSend(2048)
            .withShards(100);
    DisplayData dd = DisplayData.from(w);
    String shown = dd.toString() + w.toString();
    assertThat(shown, containsString("2048"));
    assertThat(shown, containsString("/custom/path/write"));
    assertThat(shown, containsString("X-Scope-OrgID"));
    assertFalse(shown, shown.contains("hunter2-secret"));
    assertFalse(shown, shown.contains("tenant-42"));
    assertFalse(shown.contains(okhttp3.Credentials.basic("bob", "hunter2-secret")));
  }

  @Test
  public void expandRequiresAUrl() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                pipeline
                    .apply(Create.of(TimeSeries.builder("m").sample(1, 1).build()))
                    .apply(PrometheusIO.remoteWrite()));
    assertThat(e.getMessage(), containsString("withUrl"));
    pipeline.enableAbandonedNodeEnforcement(false);
  }

  @Test
  public void batchSendDeadlineFlushesASmallBatch() throws Exception {
    server.setDispatcher(always(204));
    long t0 = System.nanoTime();
    pipeline
        .apply(Create.of(TimeSeries.builder("m").sample(1, 1).build()))
        .apply(sink().withShards(1).withMaxSamplesPerSend(1000));
    pipeline.run().waitUntilFinish();
    assertEquals(1, drain().size());
    assertThat(System.nanoTime() - t0, greaterThanOrEqualTo(0L));
  }

  private static Dispatcher always(int status) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().setResponseCode(status);
      }
    };
  }

  static long counter(PipelineResult result, PrombeamCounter name) {
    return io.prombeam.counters.PrombeamCounters.get(result, name);
  }

  private static String stackText(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    return sb.toString();
  }
}
