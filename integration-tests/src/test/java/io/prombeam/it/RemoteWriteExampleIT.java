package io.prombeam.it;

import static org.junit.Assert.assertEquals;

import io.prombeam.examples.RemoteWriteExample;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/** The shipped example, run as users run it, on both runners, checked through PromQL. */
@RunWith(Parameterized.class)
public class RemoteWriteExampleIT {
  @ClassRule public static final PrometheusServer PROMETHEUS = new PrometheusServer();

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public RemoteWriteExampleIT(String runner) {
    this.runner = runner;
  }

  @Test
  public void everyGeneratedRequestIsCountedInPrometheus() throws Exception {
    long events = 50_000;
    String job = "example_it_" + java.util.UUID.randomUUID().toString().replace("-", "");
    org.apache.beam.sdk.options.PipelineOptionsFactory.register(RemoteWriteExample.Options.class);
    RemoteWriteExample.Options options =
        Runners.options(
                runner,
                "--remoteWriteUrl=" + PROMETHEUS.remoteWriteUrl(),
                "--numEvents=" + events,
                "--minutes=5",
                "--jobLabel=" + job)
            .as(RemoteWriteExample.Options.class);
    long now = System.currentTimeMillis();
    PipelineResult result = RemoteWriteExample.run(options);
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    // The last 10 s window ends up to 10 s after "now": evaluate a little in the future.
    Map<Map<String, String>, Double> total =
        PROMETHEUS.instant(
            "sum(sum_over_time(demo_http_requests_in_window{job=\"" + job + "\"}[7m]))",
            now + 20_000);
    assertEquals(1, total.size());
    assertEquals((double) events, total.values().iterator().next(), 0.0);
  }
}
