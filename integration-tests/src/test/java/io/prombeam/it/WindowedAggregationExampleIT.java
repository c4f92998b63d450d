package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.examples.WindowedAggregationExample;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * The aggregation example on both runners: the counters, the classic and the native histogram add
 * up to the events generated, and the slow requests left exemplars.
 */
@RunWith(Parameterized.class)
public class WindowedAggregationExampleIT {
  @ClassRule
  public static final PrometheusServer PROMETHEUS =
      new PrometheusServer()
          .withFlags("--enable-feature=native-histograms", "--enable-feature=exemplar-storage");

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public WindowedAggregationExampleIT(String runner) {
    this.runner = runner;
  }

  @Test
  public void countersAndHistogramsAddUp() throws Exception {
    String job = "wagg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    PipelineOptionsFactory.register(WindowedAggregationExample.Options.class);
    WindowedAggregationExample.Options o =
        Runners.options(
                runner,
                "--remoteWriteUrl=" + PROMETHEUS.remoteWriteUrl(),
                "--numEvents=20000",
                "--minutes=5",
                "--jobLabel=" + job)
            .as(WindowedAggregationExample.Options.class);
    long now = System.currentTimeMillis();
    assertEquals(PipelineResult.State.DONE, WindowedAggregationExample.run(o).waitUntilFinish());
    long at = now + 20_000;
    String sel = "{job=\"" + job + "\"}";
    assertEquals(
        20000,
        PROMETHEUS
            .instant("sum(demo_http_requests_total" + sel + ")", at)
            .values()
            .iterator()
            .next(),
        0);
    assertEquals(
        20000,
        PROMETHEUS
            .instant("sum(demo_http_request_duration_seconds_count" + sel + ")", at)
            .values()
            .iterator()
            .next(),
        0);
    double p90 =
        PROMETHEUS
            .instant(
                "histogram_quantile(0.9, sum by (le) (demo_http_request_duration_seconds_bucket"
                    + sel
                    + "))",
                at)
            .values()
            .iterator()
            .next();
    assertTrue("p90 " + p90, p90 > 0.005 && p90 <= 2.56);
    // the native histogram counts the same requests, and its slow ones left exemplars
    assertEquals(
        20000,
        PROMETHEUS
            .instant("sum(histogram_count(demo_http_request_latency_seconds" + sel + "))", at)
            .values()
            .iterator()
            .next(),
        0);
    assertTrue(
        !PROMETHEUS
            .exemplars("demo_http_request_latency_seconds" + sel, now - 6 * 60_000, at)
            .isEmpty());
  }
}
