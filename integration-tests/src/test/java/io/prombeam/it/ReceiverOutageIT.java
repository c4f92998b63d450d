package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * A streaming run during which Prometheus is stopped for 20 s and restarted on the same data
 * directory and port: every sample generated before, during and after the outage must be in
 * Prometheus afterwards (0 lost), with the sink having retried through the outage rather than
 * dropping anything or failing the job.
 */
@RunWith(Parameterized.class)
public class ReceiverOutageIT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  private static final int SERIES = 50;
  private static final long INTERVAL_MS = 1000;

  /** Until the first samples are in Prometheus (embedded Flink takes a while to start). */
  private static final long UP_BEFORE_MS = 30_000;

  private static final long OUTAGE_MS = 20_000;
  private static final long UP_AFTER_MS = 15_000;

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public ReceiverOutageIT(String runner) {
    this.runner = runner;
  }

  static final class TickToSeries extends DoFn<Instant, TimeSeries> {
    private final String run;

    TickToSeries(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element Instant tick, OutputReceiver<TimeSeries> out) {
      long t = tick.getMillis();
      for (int s = 0; s < SERIES; s++) {
        out.output(
            TimeSeries.builder("prombeam_it_outage")
                .label("run", run)
                .label("s", "" + s)
                .sample(t, t % 1_000_000 + s)
                .build());
      }
    }
  }

  @Test
  public void noSampleIsLostWhilePrometheusIsDownForAMinute() throws Exception {
    String run = UUID.randomUUID().toString();
    Instant start = Instant.now().plus(Duration.standardSeconds(3));
    Instant stop = start.plus(Duration.millis(UP_BEFORE_MS + OUTAGE_MS + UP_AFTER_MS));

    Pipeline p = Pipeline.create(Runners.options(runner));
    String failuresBin = "outage-" + run;
    p.apply(
            PeriodicImpulse.create()
                .startAt(start)
                .stopAt(stop)
                .withInterval(Duration.millis(INTERVAL_MS)))
        .apply(ParDo.of(new TickToSeries(run)))
        .apply(
            PrometheusIO.remoteWrite()
                .withUrl(PROMETHEUS.remoteWriteUrl())
                .withShards(2)
                .withBatchSendDeadline(Duration.millis(500))
                .withMaxBackoff(Duration.standardSeconds(2)))
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<WriteFailure>(failuresBin)));
    // DirectRunner's run() blocks until the end (blockOnRun): run it beside the test.
    CompletableFuture<PipelineResult> done =
        CompletableFuture.supplyAsync(
            () -> {
              PipelineResult r = p.run();
              r.waitUntilFinish();
              return r;
            });

    String selector = "prombeam_it_outage{run=\"" + run + "\"}";
    long deadline = start.getMillis() + UP_BEFORE_MS;
    while (PROMETHEUS.rawSamples(selector, "5m", System.currentTimeMillis()).isEmpty()) {
      assertTrue(
          "samples arrive before the outage",
          System.currentTimeMillis() < deadline && !done.isDone());
      Thread.sleep(200);
    }
    PROMETHEUS.stopProcess();
    try {
      Thread.sleep(OUTAGE_MS);
      assertTrue("the job rode out the outage", !done.isDone());
    } finally {
      PROMETHEUS.start(); // same port, same data directory: the WAL brings back what was stored
    }

    PipelineResult result = done.get(5, TimeUnit.MINUTES);
    assertEquals(PipelineResult.State.DONE, result.getState());
    assertEquals(List.of(), Runners.Collect.get(failuresBin));
    // PeriodicImpulse ticks at start, start + interval, ... and at stop itself
    long expectedPerSeries = (stop.getMillis() - start.getMillis()) / INTERVAL_MS + 1;
    Map<Map<String, String>, TreeMap<Long, Double>> stored =
        PROMETHEUS.rawSamples(selector, "10m", stop.getMillis());
    assertEquals(SERIES, stored.size());
    for (Map.Entry<Map<String, String>, TreeMap<Long, Double>> e : stored.entrySet()) {
      int s = Integer.parseInt(e.getKey().get("s"));
      TreeMap<Long, Double> want = new TreeMap<>();
      for (long t = start.getMillis(); t <= stop.getMillis(); t += INTERVAL_MS) {
        want.put(t, (double) (t % 1_000_000 + s));
      }
      assertEquals(
          "series " + s + ": every tick, before, during and after the outage", want, e.getValue());
      assertEquals(expectedPerSeries, e.getValue().size());
    }
    assertEquals(
        SERIES * expectedPerSeries,
        PrombeamCounters.get(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT));
    assertEquals(0, PrombeamCounters.get(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED));
    assertTrue(
        "the sink retried through the outage",
        PrombeamCounters.get(result, PrombeamCounter.REMOTE_WRITE_RETRIES) > 0);
  }
}
