package io.prombeam.remotewrite;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.prombeam.model.Labels;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.SeriesNotDeliveredException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/**
 * The streaming runners' merge of bounded input: parts of many series in no order, far more than
 * one compaction's worth per bucket, come out once per bucket with every sample of every series,
 * and a series past the bound stops the pipeline naming it.
 */
public class HoldUntilInputEndsFnTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final KvCoder<Integer, SeriesRuns> CODER =
      KvCoder.of(VarIntCoder.of(), SeriesRuns.Coder.INSTANCE);

  private static Labels labels(int series) {
    return Labels.of("__name__", "hold_test", "s", Integer.toString(series));
  }

  /** A part holding the given samples ({@code t -> t * 10 + 0.5}) of some series. */
  private static SeriesRuns part(Map<Integer, List<Long>> samples) {
    SeriesRuns part = new SeriesRuns();
    samples.forEach(
        (s, ts) -> {
          TimeSeries.Builder b = TimeSeries.builder(labels(s));
          ts.forEach(t -> b.sample(t, t * 10 + 0.5));
          SampleRun run = new SampleRun();
          run.add(b.build());
          part.runs.put(labels(s), run);
        });
    return part;
  }

  @Test
  public void everySampleComesOutOncePerBucketAfterManyCompactions() {
    int series = 60;
    int perSeries = 500; // 30,000 samples over 2 buckets: well past MIN_COMPACT_SAMPLES each
    List<long[]> all = new ArrayList<>(); // {series, timestamp}
    for (int s = 0; s < series; s++) {
      for (long t = 0; t < perSeries; t++) {
        all.add(new long[] {s, 1_000 + t});
      }
    }
    Collections.shuffle(all, new Random(3));
    List<KV<Integer, SeriesRuns>> parts = new ArrayList<>();
    for (int from = 0; from < all.size(); from += 7) {
      Map<Integer, Map<Integer, List<Long>>> byBucket = new HashMap<>();
      for (long[] st : all.subList(from, Math.min(all.size(), from + 7))) {
        byBucket
            .computeIfAbsent((int) st[0] % 2, b -> new TreeMap<>())
            .computeIfAbsent((int) st[0], s -> new ArrayList<>())
            .add(st[1]);
      }
      byBucket.forEach((bucket, samples) -> parts.add(KV.of(bucket, part(samples))));
    }

    PCollection<KV<Integer, SeriesRuns>> merged =
        pipeline
            .apply(Create.of(parts).withCoder(CODER))
            .apply(ParDo.of(new HoldUntilInputEndsFn(Integer.MAX_VALUE, "Test")))
            .setCoder(CODER);

    PAssert.that(merged)
        .satisfies(
            out -> {
              Map<Integer, Integer> perBucket = new TreeMap<>();
              int seriesSeen = 0;
              for (KV<Integer, SeriesRuns> kv : out) {
                perBucket.merge(kv.getKey(), 1, Integer::sum);
                for (Map.Entry<Labels, SampleRun> e : kv.getValue().runs.entrySet()) {
                  int s = Integer.parseInt(e.getKey().get("s"));
                  assertEquals("bucket of series " + s, s % 2, (int) kv.getKey());
                  TimeSeries ts = e.getValue().toSeries(e.getKey());
                  long[] times = new long[ts.sampleCount()];
                  for (int i = 0; i < times.length; i++) {
                    times[i] = ts.timestamp(i);
                    assertEquals(times[i] * 10 + 0.5, ts.value(i), 0);
                  }
                  java.util.Arrays.sort(times);
                  assertEquals("samples of series " + s, perSeries, times.length);
                  for (int i = 0; i < times.length; i++) {
                    assertEquals("series " + s + " sample " + i, 1_000 + i, times[i]);
                  }
                  seriesSeen++;
                }
              }
              assertEquals("one output per bucket", Map.of(0, 1, 1, 1), perBucket);
              assertEquals(series, seriesSeen);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void aSeriesPastTheBoundStopsThePipelineNamingIt() {
    List<KV<Integer, SeriesRuns>> parts = new ArrayList<>();
    for (long t = 0; t < 30; t++) {
      parts.add(KV.of(0, part(Map.of(5, List.of(t)))));
    }
    Pipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    p.apply(Create.of(parts).withCoder(CODER))
        .apply(ParDo.of(new HoldUntilInputEndsFn(20, "ToPrometheus")))
        .setCoder(CODER);
    try {
      p.run().waitUntilFinish();
      fail("a series of 30 samples passed a bound of 20");
    } catch (RuntimeException e) {
      Throwable c = e;
      while (c != null && !(c instanceof SeriesNotDeliveredException)) {
        c = c.getCause();
      }
      assertTrue(String.valueOf(e), c != null);
      assertTrue(c.getMessage(), c.getMessage().contains("s=\"5\""));
      assertTrue(c.getMessage(), c.getMessage().contains("withMaxSamplesPerSeries"));
    }
  }
}
