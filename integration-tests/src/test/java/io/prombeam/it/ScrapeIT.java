package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * scrape() against a real node-exporter and a real Pushgateway, streaming on both runners; the
 * Pushgateway is stopped mid-run and started again: its `up` must go 1 → 0 → 1.
 */
@RunWith(Parameterized.class)
public class ScrapeIT {
  static final NodeExporterServer NODE = new NodeExporterServer();
  static final PushgatewayServer GATEWAY = new PushgatewayServer();

  @ClassRule public static final TestRule SERVERS = RuleChain.outerRule(NODE).around(GATEWAY);

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public ScrapeIT(String runner) {
    this.runner = runner;
  }

  @Test
  public void scrapesExportersAndReportsTargetsGoingDownAndBack() throws Exception {
    String bin = "scrape-" + UUID.randomUUID();
    Instant start = Instant.now().plus(Duration.standardSeconds(2));
    Instant stop = start.plus(Duration.standardSeconds(14));
    Pipeline p = Pipeline.create(Runners.options(runner));
    p.apply(
            PrometheusIO.scrape()
                .withTargets("node", NODE.metricsUrl())
                .withTargets("gateway", GATEWAY.url() + "/metrics")
                .withInterval(Duration.millis(500))
                .withTimeout(Duration.millis(500))
                .withStartAt(start)
                .withStopAt(stop))
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    CompletableFuture<PipelineResult.State> done =
        CompletableFuture.supplyAsync(() -> p.run().waitUntilFinish());

    // wait for the gateway to be seen up, then take it down for ~3 s and bring it back
    long deadline = System.currentTimeMillis() + 60_000;
    while (upValues(bin, "gateway").isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(1500);
    GATEWAY.stopProcess();
    Thread.sleep(3000);
    GATEWAY.start();
    assertEquals(PipelineResult.State.DONE, done.get(3, TimeUnit.MINUTES));

    List<Double> gatewayUp = upValues(bin, "gateway");
    String seq = gatewayUp.toString();
    int firstDown = gatewayUp.indexOf(0.0);
    assertTrue("gateway up: " + seq, gatewayUp.get(0) == 1.0 && firstDown > 0);
    assertTrue(
        "gateway back up after being down: " + seq,
        gatewayUp.subList(firstDown, gatewayUp.size()).contains(1.0));
    assertTrue("node always up", upValues(bin, "node").stream().allMatch(v -> v == 1.0));

    List<TimeSeries> all = Runners.Collect.get(bin);
    TimeSeries cpu = null;
    for (TimeSeries ts : all) {
      if ("node_cpu_seconds_total".equals(ts.metricName())) {
        cpu = ts;
        break;
      }
    }
    assertTrue("node_cpu_seconds_total scraped", cpu != null);
    assertEquals(MetricType.COUNTER, cpu.metadata().type());
    assertEquals("node", cpu.labels().get("job"));
    assertEquals("127.0.0.1:" + NODE.port, cpu.labels().get("instance"));
    assertTrue(cpu.labels().get("mode") != null);
    // event time = scrape time, on the schedule
    assertEquals(0, (cpu.timestamp(0) - start.getMillis()) % 500);
  }

  /** The target's `up` values in scrape-time order. */
  static List<Double> upValues(String bin, String job) {
    TreeMap<Long, Double> byTime = new TreeMap<>();
    for (Object o : Runners.Collect.get(bin)) {
      TimeSeries ts = (TimeSeries) o;
      if ("up".equals(ts.metricName()) && job.equals(ts.labels().get("job"))) {
        byTime.put(ts.timestamp(0), ts.value(0));
      }
    }
    return new ArrayList<>(byTime.values());
  }
}
