package io.prombeam.remotewrite;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.SeriesNotDeliveredException;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * Input in any order, one element per sample: what reaches the wire is every sample once, each
 * series strictly in timestamp order across requests, and only what cannot be sent (conflicting
 * repeats, samples behind what a series already sent) in the failure output, named.
 */
public class AnyInputOrderTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private MockWebServer server;

  @Before
  public void start() throws Exception {
    server = new MockWebServer();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse().setResponseCode(204);
          }
        });
    server.start();
  }

  @After
  public void stop() throws Exception {
    server.shutdown();
  }

  private RemoteWrite sink() {
    return PrometheusIO.remoteWrite().withUrl(server.url("/api/v1/write").toString());
  }

  /** Every sample on the wire, per series (by its "s" label), in the order sent. */
  private Map<String, List<long[]>> wire() throws Exception {
    Map<String, List<long[]>> out = new TreeMap<>();
    RecordedRequest r;
    while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      List<TimeSeries> request = RemoteWriteCodec.decodeWriteRequest(r.getBody().readByteArray());
      java.util.Set<Object> labelSets = new java.util.HashSet<>();
      for (TimeSeries ts : request) {
        assertTrue("one entry per series in a request", labelSets.add(ts.labels()));
        for (int i = 0; i < ts.sampleCount(); i++) {
          out.computeIfAbsent(ts.labels().get("s"), k -> new ArrayList<>())
              .add(new long[] {ts.timestamp(i), (long) ts.value(i)});
        }
      }
    }
    return out;
  }

  private static TimeSeries sample(int series, long t, double v) {
    return TimeSeries.builder("m").label("s", Integer.toString(series)).sample(t, v).build();
  }

  @Test
  public void boundedShuffledSingleSamplesAllArriveOnceInOrderAndOnlyConflictsFail()
      throws Exception {
    List<TimeSeries> input = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      int samples = s == 0 ? 25 : 5; // series 0 needs several requests of at most 7 samples
      for (int i = 0; i < samples; i++) {
        input.add(sample(s, 1000L * (i + 1), s * 100 + i));
        if (i % 2 == 0) {
          input.add(sample(s, 1000L * (i + 1), s * 100 + i)); // an exact repeat: sent once
        }
      }
    }
    // two conflicting repeats: same timestamp, another value
    input.add(sample(3, 2000, -1));
    input.add(sample(0, 7000, -2));
    Collections.shuffle(input, new Random(42));

    PCollection<WriteFailure> failures =
        pipeline.apply(Create.of(input)).apply(sink().withMaxSamplesPerSend(7)).getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              List<String> named = new ArrayList<>();
              for (WriteFailure f : fs) {
                assertEquals(SeriesRule.DUPLICATE_TIMESTAMP, f.rule());
                assertEquals(1, f.series().sampleCount());
                assertTrue(f.message(), f.message().contains("DUPLICATE_TIMESTAMP"));
                named.add(f.series().labels().get("s") + "@" + f.series().timestamp(0));
              }
              Collections.sort(named);
              assertEquals(List.of("0@7000", "3@2000"), named);
              return null;
            });
    pipeline.run().waitUntilFinish();

    Map<String, List<long[]>> wire = wire();
    assertEquals(20, wire.size());
    for (Map.Entry<String, List<long[]>> e : wire.entrySet()) {
      int s = Integer.parseInt(e.getKey());
      List<long[]> got = e.getValue();
      assertEquals("series " + s, s == 0 ? 25 : 5, got.size());
      for (int i = 0; i < got.size(); i++) {
        long[] want = {1000L * (i + 1), s * 100 + i};
        // which of two conflicting values is kept is not defined; the other is the failure
        boolean conflict = (s == 3 && i == 1) || (s == 0 && i == 6);
        assertEquals("series " + s + " in order", want[0], got.get(i)[0]);
        if (!conflict) {
          assertEquals(want[1], got.get(i)[1]);
        }
      }
    }
  }

  private static TimeSeries histogram(int series, long t, long count) {
    return TimeSeries.builder("h")
        .label("s", Integer.toString(series))
        .histogram(t, NativeHistogram.builder(1).positiveBucket(2, count).sum(count).build())
        .exemplar(Exemplar.of(Labels.of("trace_id", series + "-" + t), count, t))
        .build();
  }

  /** Per series, "timestamp:count" of every histogram on the wire and the exemplars' trace ids. */
  private Map<String, List<String>> histogramsOnTheWire() throws Exception {
    Map<String, List<String>> out = new TreeMap<>();
    RecordedRequest r;
    while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      for (TimeSeries ts : RemoteWriteCodec.decodeWriteRequest(r.getBody().readByteArray())) {
        List<String> got = out.computeIfAbsent(ts.labels().get("s"), k -> new ArrayList<>());
        for (int i = 0; i < ts.sampleCount(); i++) {
          got.add(ts.timestamp(i) + ":" + (long) ts.histogram(i).count());
        }
        for (int i = 0; i < ts.exemplarCount(); i++) {
          got.add("#" + ts.exemplar(i).labels().get("trace_id"));
        }
      }
    }
    out.values().forEach(Collections::sort);
    return out;
  }

  @Test
  public void histogramsAndExemplarsGoThroughTheBoundedMergeInOrderWithConflictsNamed()
      throws Exception {
    List<TimeSeries> input = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      for (int i = 1; i <= 6; i++) {
        input.add(histogram(s, 1000L * i, i));
      }
      input.add(histogram(s, 2000, 2)); // an exact repeat: sent once
    }
    input.add(histogram(4, 3000, 99)); // another histogram at a taken timestamp
    Collections.shuffle(input, new Random(7));
    PCollection<WriteFailure> failures =
        pipeline.apply(Create.of(input)).apply(sink().withMaxSamplesPerSend(4)).getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              int n = 0;
              for (WriteFailure f : fs) {
                assertEquals(SeriesRule.DUPLICATE_TIMESTAMP, f.rule());
                assertEquals("4", f.series().labels().get("s"));
                assertTrue(f.message(), f.message().contains("histogram{count="));
                n++;
              }
              assertEquals(1, n);
              return null;
            });
    pipeline.run().waitUntilFinish();
    Map<String, List<String>> wire = histogramsOnTheWire();
    assertEquals(5, wire.size());
    for (Map.Entry<String, List<String>> e : wire.entrySet()) {
      List<String> got = e.getValue();
      // six histograms, and each exemplar once however the series was split and merged
      assertEquals(e.getKey(), 6 + 6 + (e.getKey().equals("4") ? 1 : 0), got.size());
      assertTrue(got.toString(), got.contains("#" + e.getKey() + "-2000"));
      if (!e.getKey().equals("4")) {
        assertTrue(got.toString(), got.contains("3000:3"));
      }
    }
  }

  @Test
  public void unboundedHistogramsAreReleasedInOrderWithTheirExemplars() throws Exception {
    TestStream<TimeSeries> stream =
        TestStream.create(io.prombeam.model.TimeSeriesCoder.of())
            .addElements(at(histogram(1, 3000, 3)), at(histogram(1, 1000, 1)))
            .advanceWatermarkTo(new Instant(1200))
            .addElements(at(histogram(1, 2000, 2)))
            .advanceWatermarkToInfinity();
    PCollection<WriteFailure> failures = pipeline.apply(stream).apply(sink()).getFailures();
    PAssert.that(failures).empty();
    pipeline.run().waitUntilFinish();
    assertEquals(
        List.of("#1-1000", "#1-2000", "#1-3000", "1000:1", "2000:2", "3000:3"),
        histogramsOnTheWire().get("1"));
  }

  @Test
  public void unboundedSamplesOutOfOrderAreReleasedInOrderAsTheWatermarkPasses() throws Exception {
    TestStream<TimeSeries> stream =
        TestStream.create(io.prombeam.model.TimeSeriesCoder.of())
            .addElements(at(sample(1, 3000, 3)), at(sample(1, 1000, 1)), at(sample(2, 1500, 15)))
            .advanceWatermarkTo(new Instant(1200))
            // not late: after the watermark, before samples already buffered
            .addElements(at(sample(1, 2000, 2)), at(sample(2, 1300, 13)))
            .advanceWatermarkTo(new Instant(5000))
            // late: series 1 has already sent 3000
            .addElements(at(sample(1, 2500, 25)))
            .advanceWatermarkToInfinity();
    PCollection<WriteFailure> failures = pipeline.apply(stream).apply(sink()).getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              int n = 0;
              for (WriteFailure f : fs) {
                assertEquals(SeriesRule.OUT_OF_ORDER, f.rule());
                assertEquals(sample(1, 2500, 25), f.series());
                n++;
              }
              assertEquals(1, n);
              return null;
            });
    pipeline.run().waitUntilFinish();
    Map<String, List<long[]>> wire = wire();
    assertEquals(List.of(1000L, 2000L, 3000L), times(wire.get("1")));
    assertEquals(List.of(1300L, 1500L), times(wire.get("2")));
  }

  @Test
  public void aStalledWatermarkHoldsASampleNoLongerThanTheMaxReorderDelay() throws Exception {
    TestStream<TimeSeries> stream =
        TestStream.create(io.prombeam.model.TimeSeriesCoder.of())
            .addElements(at(sample(1, 1000, 1)))
            .advanceProcessingTime(Duration.standardSeconds(30))
            .addElements(at(sample(1, 900, 9))) // within the delay: reordered
            .advanceProcessingTime(Duration.standardSeconds(40)) // the first sample waited 70 s
            .addElements(at(sample(1, 800, 8))) // its series has moved past it
            .advanceWatermarkToInfinity();
    PCollection<WriteFailure> failures =
        pipeline
            .apply(stream)
            .apply(sink().withMaxReorderDelay(Duration.standardMinutes(1)))
            .getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              int n = 0;
              for (WriteFailure f : fs) {
                assertEquals(SeriesRule.OUT_OF_ORDER, f.rule());
                assertEquals(800, f.series().timestamp(0));
                n++;
              }
              assertEquals(1, n);
              return null;
            });
    pipeline.run().waitUntilFinish();
    assertEquals(List.of(900L, 1000L), times(wire().get("1")));
  }

  @Test
  public void aFullReorderBufferReleasesEverythingInOrderAndCountsTheOverflow() throws Exception {
    TestStream<TimeSeries> stream =
        TestStream.create(io.prombeam.model.TimeSeriesCoder.of())
            .addElements(at(sample(1, 3000, 3)), at(sample(1, 2000, 2)))
            .addElements(at(sample(1, 4000, 4))) // the third sample fills the shard's buffer of 3
            .addElements(at(sample(1, 1000, 1))) // older than what the overflow sent
            .advanceWatermarkToInfinity();
    PCollection<WriteFailure> failures =
        pipeline
            .apply(stream)
            .apply(sink().withShards(1).withMaxBufferedSamplesPerShard(3))
            .getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              int n = 0;
              for (WriteFailure f : fs) {
                assertEquals(SeriesRule.OUT_OF_ORDER, f.rule());
                assertEquals(1000, f.series().timestamp(0));
                n++;
              }
              assertEquals(1, n);
              return null;
            });
    org.apache.beam.sdk.PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(List.of(2000L, 3000L, 4000L), times(wire().get("1")));
    assertEquals(
        1,
        io.prombeam.counters.PrombeamCounters.get(
            result, PrombeamCounter.REMOTE_WRITE_REORDER_BUFFER_OVERFLOWS));
  }

  @Test
  public void aBoundedSeriesPastMaxSamplesPerSeriesStopsThePipelineNamingIt() throws Exception {
    List<TimeSeries> input = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      input.add(sample(7, 1000L * (i + 1), i));
    }
    for (int s = 0; s < 5; s++) {
      input.add(sample(s == 7 ? 8 : s, 1000, s));
    }
    Collections.shuffle(input, new Random(7));
    pipeline.apply(Create.of(input)).apply(sink().withMaxSamplesPerSeries(1_000));
    try {
      pipeline.run().waitUntilFinish();
      fail("a series of 1,500 samples passed a bound of 1,000");
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause.getCause() != null && !(cause instanceof SeriesNotDeliveredException)) {
        cause = cause.getCause();
      }
      assertTrue(cause.toString(), cause instanceof SeriesNotDeliveredException);
      String message = cause.getMessage();
      assertTrue(message, message.contains("m{s=\"7\"}"));
      assertTrue(message, message.contains("1,000 samples (withMaxSamplesPerSeries)"));
      assertTrue(message, message.contains("split the series in time"));
    }
  }

  private static TimestampedValue<TimeSeries> at(TimeSeries ts) {
    return TimestampedValue.of(ts, new Instant(ts.timestamp(0)));
  }

  private static List<Long> times(List<long[]> samples) {
    List<Long> out = new ArrayList<>();
    for (long[] s : samples) {
      out.add(s[0]);
    }
    return out;
  }
}
