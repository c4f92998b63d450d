package io.prombeam.it;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.prombeam.PrometheusIO;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.pushgateway.PushMethod;
import io.prombeam.sink.FailureReason;
import io.prombeam.sink.WriteFailure;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/** The Pushgateway sink against a real Pushgateway, on DirectRunner and embedded Flink. */
@RunWith(Parameterized.class)
public class PushgatewayIT {
  @ClassRule public static final PushgatewayServer GATEWAY = new PushgatewayServer();

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public PushgatewayIT(String runner) {
    this.runner = runner;
  }

  private List<WriteFailure> push(PushMethod method, String job, TimeSeries... series) {
    Pipeline p = Pipeline.create(Runners.options(runner));
    String bin = "pg-" + UUID.randomUUID();
    p.apply(Create.of(List.of(series)))
        .apply(
            PrometheusIO.pushgateway()
                .withUrl(GATEWAY.url())
                .withJob(job)
                .withGroupingLabels("instance")
                .withMethod(method))
        .getFailures()
        .apply(ParDo.of(new Runners.Collect<>(bin)));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    return Runners.Collect.get(bin);
  }

  private static TimeSeries gauge(String name, String instance, long ts, double v) {
    return TimeSeries.builder(name)
        .label("instance", instance)
        .label("kind", "x")
        .sample(ts, v)
        .type(MetricType.GAUGE)
        .help("A \"gauge\"\nwith help")
        .build();
  }

  @Test
  public void putReplacesTheGroupPostReplacesSameNamedMetrics() throws Exception {
    String job = "pg_" + UUID.randomUUID().toString().substring(0, 8);
    // two samples of one series in the pane: the latest (by timestamp) is pushed
    assertEquals(
        List.of(),
        push(
            PushMethod.PUT,
            job,
            gauge("temp", "h1", 2000, 21.5),
            gauge("temp", "h1", 1000, 99),
            gauge("load", "h1", 1000, 0.7)));
    Map<String, Map<Map<String, String>, String>> g =
        GATEWAY.group(Map.of("job", job, "instance", "h1"));
    assertNotNull(g);
    assertEquals("21.5", g.get("temp").values().iterator().next());
    assertEquals("0.7", g.get("load").values().iterator().next());

    // POST: replaces "temp", keeps "load"
    assertEquals(List.of(), push(PushMethod.POST, job, gauge("temp", "h1", 3000, 22)));
    g = GATEWAY.group(Map.of("job", job, "instance", "h1"));
    assertEquals("22", g.get("temp").values().iterator().next());
    assertEquals("0.7", g.get("load").values().iterator().next());

    // PUT: the group now holds only "temp"
    assertEquals(List.of(), push(PushMethod.PUT, job, gauge("temp", "h1", 4000, 23)));
    g = GATEWAY.group(Map.of("job", job, "instance", "h1"));
    assertEquals("23", g.get("temp").values().iterator().next());
    assertNull(g.get("load"));
  }

  @Test
  public void groupingValuesWithSlashesAndEmptyValuesGoAsBase64() throws Exception {
    String job = "pg/" + UUID.randomUUID().toString().substring(0, 8);
    TimeSeries withSlash = gauge("disk_free", "/var/lib/x", 1, 5);
    TimeSeries noInstance =
        TimeSeries.builder("disk_free")
            .label("kind", "y")
            .sample(1, 6)
            .type(MetricType.GAUGE)
            .build();
    assertEquals(List.of(), push(PushMethod.PUT, job, withSlash, noInstance));
    Map<String, Map<Map<String, String>, String>> slash =
        GATEWAY.group(Map.of("job", job, "instance", "/var/lib/x"));
    assertNotNull("group with / in job and instance: " + GATEWAY.groups().keySet(), slash);
    assertEquals("5", slash.get("disk_free").values().iterator().next());
    Map<String, Map<Map<String, String>, String>> empty =
        GATEWAY.group(Map.of("job", job, "instance", ""));
    assertNotNull("group with empty instance: " + GATEWAY.groups().keySet(), empty);
    assertEquals("6", empty.get("disk_free").values().iterator().next());
  }

  @Test
  public void theClientDeletesAGroup() throws Exception {
    String job = "pg_" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(List.of(), push(PushMethod.PUT, job, gauge("temp", "gone/soon", 1, 1)));
    assertNotNull(GATEWAY.group(Map.of("job", job, "instance", "gone/soon")));
    io.prombeam.http.SendOutcome out =
        new io.prombeam.pushgateway.PushgatewayClient(
                io.prombeam.http.HttpEndpoint.create().withUrl(GATEWAY.url()),
                io.prombeam.http.RetryPolicy.forSinks())
            .delete(job, Map.of("instance", "gone/soon"));
    assertTrue(out.toString(), out.success());
    assertNull(GATEWAY.group(Map.of("job", job, "instance", "gone/soon")));
  }

  @Test
  public void aTypeConflictIsA400InTheFailures() throws Exception {
    String job = "pg_" + UUID.randomUUID().toString().substring(0, 8);
    String metric = "conflict_" + UUID.randomUUID().toString().substring(0, 8);
    TimeSeries counter =
        TimeSeries.builder(metric)
            .label("instance", "a")
            .sample(1, 1)
            .type(MetricType.COUNTER)
            .build();
    assertEquals(List.of(), push(PushMethod.PUT, job, counter));
    TimeSeries gauge =
        TimeSeries.builder(metric)
            .label("instance", "b")
            .sample(1, 2)
            .type(MetricType.GAUGE)
            .build();
    List<WriteFailure> failures = push(PushMethod.PUT, job, gauge);
    assertEquals(1, failures.size());
    WriteFailure f = failures.get(0);
    assertEquals(FailureReason.REJECTED, f.reason());
    assertEquals(400, f.httpStatus());
    assertEquals(1, f.attempts());
    assertThat(f.message().toLowerCase(), containsString(metric));
    assertTrue(f.series().labels().get("instance") == null); // moved into the group path
    // The gateway records the failed push (push_failure_time_seconds) but stores no metric.
    Map<String, Map<Map<String, String>, String>> b =
        GATEWAY.group(Map.of("job", job, "instance", "b"));
    assertTrue(b == null || !b.containsKey(metric));
    assertTrue(b == null || b.containsKey("push_failure_time_seconds"));
  }
}
