package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.prombeam.PrometheusIO;
import io.prombeam.examples.RoundTripExample;
import io.prombeam.examples.ScrapeAggregateExample;
import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;

/** The source examples as users run them (DirectRunner), checked through PromQL. */
public class SourceExamplesIT {
  static final NodeExporterServer NODE = new NodeExporterServer();
  static final PrometheusServer PROMETHEUS = new PrometheusServer();

  @ClassRule public static final TestRule SERVERS = RuleChain.outerRule(NODE).around(PROMETHEUS);

  @Test
  public void roundTripDownsamplesHistoryIntoTheTarget() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    long now = System.currentTimeMillis();
    long start = (now - 10 * 60_000L) / 60_000 * 60_000;
    List<TimeSeries> written = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      TimeSeries.Builder b =
          TimeSeries.builder("prombeam_rt_value").label("run", run).label("s", "" + s);
      for (int i = 0; i < 20; i++) {
        b.sample(start + i * 15_000L, s * 100 + (i * 7) % 20);
      }
      written.add(b.build());
    }
    Pipeline fill = Pipeline.create(Runners.options(Runners.DIRECT));
    fill.apply(Create.of(written))
        .apply(PrometheusIO.remoteWrite().withUrl(PROMETHEUS.remoteWriteUrl()));
    fill.run().waitUntilFinish();

    PipelineOptionsFactory.register(RoundTripExample.Options.class);
    RoundTripExample.Options o =
        Runners.options(
                Runners.DIRECT,
                "--sourceUrl=" + PROMETHEUS.baseUrl(),
                "--targetUrl=" + PROMETHEUS.remoteWriteUrl(),
                "--selector=prombeam_rt_value{run=\"" + run + "\"}",
                "--historyMinutes=15")
            .as(RoundTripExample.Options.class);
    assertEquals(PipelineResult.State.DONE, RoundTripExample.run(o).waitUntilFinish());
    Map<Map<String, String>, Double> max =
        PROMETHEUS.instant(
            "max_over_time(prombeam_downsampled_max{metric=\"prombeam_rt_value\",run=\""
                + run
                + "\"}[20m])",
            now + 60_000);
    assertEquals(5, max.size());
    for (Map.Entry<Map<String, String>, Double> e : max.entrySet()) {
      int s = Integer.parseInt(e.getKey().get("s"));
      assertEquals(s * 100 + 19, e.getValue(), 0);
    }
  }

  @Test
  public void scrapeAggregateWritesTheMaxLoadPerInstance() throws Exception {
    PipelineOptionsFactory.register(ScrapeAggregateExample.Options.class);
    ScrapeAggregateExample.Options o =
        Runners.options(
                Runners.DIRECT,
                "--targets=" + NODE.metricsUrl(),
                "--remoteWriteUrl=" + PROMETHEUS.remoteWriteUrl(),
                "--scrapeSeconds=1",
                "--windowSeconds=4",
                "--runSeconds=10")
            .as(ScrapeAggregateExample.Options.class);
    assertEquals(PipelineResult.State.DONE, ScrapeAggregateExample.run(o).waitUntilFinish());
    Map<Map<String, String>, Double> load =
        PROMETHEUS.instant(
            "max_over_time(prombeam_node_load1_max[5m])", System.currentTimeMillis() + 10_000);
    assertEquals(1, load.size());
    assertEquals("127.0.0.1:" + NODE.port, load.keySet().iterator().next().get("instance"));
    assertFalse(load.values().iterator().next().isNaN());
  }
}
