package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.model.TimeSeries;
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
 * An unbounded pipeline (streaming on both runners): samples must reach Prometheus within the batch
 * send deadline while the job still runs, every sample must arrive in order, and a stale marker
 * written at the end must end the series in Prometheus.
 */
@RunWith(Parameterized.class)
public class StreamingRemoteWriteIT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  private static final int SERIES = 20;
  private static final long INTERVAL_MS = 500;
  private static final int TICKS = 24;

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public StreamingRemoteWriteIT(String runner) {
    this.runner = runner;
  }

  /** Each tick writes one sample to each series; the last tick writes stale markers instead. */
  static final class TickToSeries extends DoFn<Instant, TimeSeries> {
    private final String run;
    private final long lastTick;

    TickToSeries(String run, long lastTick) {
      this.run = run;
      this.lastTick = lastTick;
    }

    @ProcessElement
    public void process(@Element Instant tick, OutputReceiver<TimeSeries> out) {
      long t = tick.getMillis();
      for (int s = 0; s < SERIES; s++) {
        TimeSeries.Builder b =
            TimeSeries.builder("prombeam_it_stream").label("run", run).label("s", "" + s);
        if (t >= lastTick) {
          b.staleMarker(t);
        } else {
          b.sample(t, t % 100_000 + s);
        }
        out.output(b.build());
      }
    }
  }

  @Test
  public void streamsWithinTheDeadlineInOrderAndEndsSeriesWithStaleMarkers() throws Exception {
    String run = UUID.randomUUID().toString();
    Instant start = Instant.now().plus(Duration.standardSeconds(2));
    Instant stop = start.plus(Duration.millis(INTERVAL_MS * TICKS));
    long lastTick = start.getMillis() + INTERVAL_MS * (TICKS - 1);

    Pipeline p = Pipeline.create(Runners.options(runner));
    p.apply(
            PeriodicImpulse.create()
                .startAt(start)
                .stopAt(stop)
                .withInterval(Duration.millis(INTERVAL_MS)))
        .apply(ParDo.of(new TickToSeries(run, lastTick)))
        .apply(
            PrometheusIO.remoteWrite()
                .withUrl(PROMETHEUS.remoteWriteUrl())
                .withShards(3)
                // in order per series already: no reorder buffer, so the deadline alone bounds the
                // wait
                .withMaxReorderDelay(Duration.ZERO)
                .withBatchSendDeadline(Duration.millis(500)));
    CompletableFuture<PipelineResult.State> done =
        CompletableFuture.supplyAsync(() -> p.run().waitUntilFinish());

    // While the job runs, the first samples must already be queryable.
    String selector = "prombeam_it_stream{run=\"" + run + "\"}";
    boolean seenWhileRunning = false;
    while (!done.isDone()) {
      if (!PROMETHEUS.rawSamples(selector, "5m", System.currentTimeMillis() + 1000).isEmpty()) {
        seenWhileRunning = !done.isDone();
        break;
      }
      Thread.sleep(200);
    }
    assertEquals(PipelineResult.State.DONE, done.get(5, TimeUnit.MINUTES));
    assertTrue("samples reached Prometheus while the streaming job ran", seenWhileRunning);

    Map<Map<String, String>, TreeMap<Long, Double>> stored =
        PROMETHEUS.rawSamples(selector, "5m", lastTick);
    assertEquals(SERIES, stored.size());
    for (Map.Entry<Map<String, String>, TreeMap<Long, Double>> e : stored.entrySet()) {
      int s = Integer.parseInt(e.getKey().get("s"));
      TreeMap<Long, Double> want = new TreeMap<>();
      for (long t = start.getMillis(); t < lastTick; t += INTERVAL_MS) {
        want.put(t, (double) (t % 100_000 + s));
      }
      // stale markers are not returned by range selectors; the ordinary samples all are
      assertEquals("series " + s, want, e.getValue());
    }
    // Just before the stale marker each series has a value; at it, the series has ended.
    assertEquals(SERIES, PROMETHEUS.instant(selector, lastTick - 1).size());
    assertEquals(0, PROMETHEUS.instant(selector, lastTick + 1).size());
  }
}
