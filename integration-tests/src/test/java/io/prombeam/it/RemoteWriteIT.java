package io.prombeam.it;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteResult;
import io.prombeam.sink.FailureReason;
import io.prombeam.sink.WriteFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * The remote-write sink against a real Prometheus, on DirectRunner and embedded Flink with
 * parallelism 2: exactly the written samples are stored (asked through the query API), and what
 * Prometheus refuses arrives in the failure output with its answer.
 */
@RunWith(Parameterized.class)
public class RemoteWriteIT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  private static final int SERIES = 10_000;
  private static final int SAMPLES = 10;

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public RemoteWriteIT(String runner) {
    this.runner = runner;
  }

  @Test
  public void storesExactlyTheWrittenSamples() throws Exception {
    String run = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    long base = now - 5 * 60_000L;
    List<TimeSeries> input = new ArrayList<>(SERIES);
    for (int s = 0; s < SERIES; s++) {
      TimeSeries.Builder b =
          TimeSeries.builder("prombeam_it_requests_total")
              .label("run", run)
              .label("series", Integer.toString(s))
              .label("zone", s % 2 == 0 ? "eu" : "us");
      for (int i = 0; i < SAMPLES; i++) {
        b.sample(base + i * 10_000L + s % 1000, s * 100.0 + i + 0.25);
      }
      input.add(b.build());
    }

    Pipeline p = Pipeline.create(Runners.options(runner));
    RemoteWriteResult result =
        p.apply(Create.of(input))
            .apply(
                PrometheusIO.remoteWrite()
                    .withUrl(PROMETHEUS.remoteWriteUrl())
                    .withShards(4)
                    .withMaxSamplesPerSend(2000)
                    .withBatchSendDeadline(Duration.standardSeconds(1)));
    String bin = "failures-" + run;
    result.getFailures().apply(ParDo.of(new Runners.Collect<>(bin)));
    PipelineResult pr = p.run();
    assertEquals(PipelineResult.State.DONE, pr.waitUntilFinish());
    assertEquals("no failures expected", List.of(), Runners.Collect.get(bin));

    Map<Map<String, String>, TreeMap<Long, Double>> stored =
        PROMETHEUS.rawSamples("prombeam_it_requests_total{run=\"" + run + "\"}", "10m", now);
    assertEquals(SERIES, stored.size());
    for (TimeSeries ts : input) {
      Map<String, String> labels = new TreeMap<>(ts.labels().asMap());
      TreeMap<Long, Double> got = stored.get(labels);
      assertTrue("missing series " + labels, got != null);
      TreeMap<Long, Double> want = new TreeMap<>();
      for (int i = 0; i < ts.sampleCount(); i++) {
        want.put(ts.timestamp(i), ts.value(i));
      }
      assertEquals("samples of " + labels, want, got);
    }
    assertEquals(SERIES * SAMPLES, counter(pr, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT));
  }

  @Test
  public void samplesPrometheusRejectsArriveInTheFailures() throws Exception {
    String run = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    // First make sure the TSDB head has recent data, so that 3 h old samples are out of bounds.
    Pipeline first = Pipeline.create(Runners.options(runner));
    first
        .apply(
            Create.of(
                TimeSeries.builder("prombeam_it_fresh").label("run", run).sample(now, 1).build()))
        .apply(PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()));
    first.run().waitUntilFinish();

    List<TimeSeries> old = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      old.add(
          TimeSeries.builder("prombeam_it_too_old")
              .label("run", run)
              .label("s", "" + s)
              .sample(now - 3 * 3600_000L, s)
              .build());
    }
    Pipeline p = Pipeline.create(Runners.options(runner));
    String bin = "rejected-" + run;
    p.apply(Create.of(old))
        .apply(PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()).withShards(2))
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    PipelineResult pr = p.run();
    pr.waitUntilFinish();

    List<WriteFailure> failures = Runners.Collect.get(bin);
    assertEquals(5, failures.size());
    List<TimeSeries> failedSeries = new ArrayList<>();
    for (WriteFailure f : failures) {
      assertEquals(FailureReason.REJECTED, f.reason());
      assertEquals(400, f.httpStatus());
      assertEquals(1, f.attempts());
      assertThat(f.message(), containsString("out of bounds"));
      failedSeries.add(f.series());
    }
    assertTrue(failedSeries.containsAll(old));
    assertEquals(
        0, PROMETHEUS.rawSamples("prombeam_it_too_old{run=\"" + run + "\"}", "4h", now).size());
    assertEquals(5, counter(pr, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED));
  }

  static long counter(PipelineResult result, PrombeamCounter name) {
    return io.prombeam.counters.PrombeamCounters.get(result, name);
  }
}
