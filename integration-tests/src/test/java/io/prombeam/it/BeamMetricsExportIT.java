package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.metrics.PrometheusMetricsExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.StringSet;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * A pipeline's own Beam metrics exported both ways (remote write, and Pushgateway scraped by
 * Prometheus with honor_labels), on DirectRunner and embedded Flink; the exact values are read back
 * from Prometheus' query API and the Pushgateway's API.
 */
@RunWith(Parameterized.class)
public class BeamMetricsExportIT {
  static final PushgatewayServer GATEWAY = new PushgatewayServer();
  static final PrometheusServer PROMETHEUS =
      new PrometheusServer()
          .withConfig(
              () ->
                  "scrape_configs:\n"
                      + "  - job_name: pushgateway\n"
                      + "    honor_labels: true\n"
                      + "    static_configs:\n"
                      + "      - targets: ['"
                      + GATEWAY.hostPort()
                      + "']\n"
                      + "        labels: {source: pushgateway}\n");

  @ClassRule public static final TestRule SERVERS = RuleChain.outerRule(GATEWAY).around(PROMETHEUS);

  static final int N = 1000;

  @Parameterized.Parameters(name = "{0}")
  public static List<Object[]> runners() {
    return Runners.all();
  }

  private final String runner;

  public BeamMetricsExportIT(String runner) {
    this.runner = runner;
  }

  /** Updates one metric of each kind per element. */
  static final class Instrumented extends DoFn<Integer, Void> {
    private final Counter elements = Metrics.counter("it", "elements");
    private final Distribution values = Metrics.distribution("it", "value");
    private final Gauge last = Metrics.gauge("it", "answer");
    private final StringSet kinds = Metrics.stringSet("it", "kinds");

    @ProcessElement
    public void process(@Element Integer i) {
      elements.inc();
      values.update(i);
      last.set(42);
      kinds.add(i % 2 == 0 ? "even" : "odd");
    }
  }

  static Pipeline instrumentedPipeline(String runner, String... extra) {
    Pipeline p = Pipeline.create(Runners.options(runner, extra));
    List<Integer> in = new ArrayList<>();
    for (int i = 1; i <= N; i++) {
      in.add(i);
    }
    p.apply(Create.of(in)).apply("Instrumented", ParDo.of(new Instrumented()));
    return p;
  }

  @Test
  public void exporterDeliversExactValuesThroughRemoteWriteAndPushgateway() throws Exception {
    String job = "bm_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Pipeline p =
        instrumentedPipeline(
            runner,
            runner.equals(Runners.DIRECT) ? new String[] {"--blockOnRun=false"} : new String[0]);
    PipelineResult result = p.run();
    PrometheusMetricsExporter exporter =
        PrometheusMetricsExporter.start(
            result,
            PrometheusMetricsExporter.config(job)
                .withRemoteWriteUrl(PROMETHEUS.remoteWriteUrl())
                .withPushgatewayUrl(GATEWAY.url())
                .withPeriod(Duration.millis(500)));
    try {
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    } finally {
      exporter.close();
    }
    assertTrue(exporter.exportCount() >= 1);

    // 1. The Pushgateway API
    Map<String, Map<Map<String, String>, String>> group = GATEWAY.group(Map.of("job", job));
    assertEquals(
        Double.valueOf(N),
        Double.valueOf(group.get("beam_it_elements_total").values().iterator().next()));
    assertEquals(Double.valueOf(N), Double.valueOf(only(group.get("beam_it_value"), "count")));

    // 2. Prometheus, from remote write (no source label) and from scraping the gateway
    for (String source : new String[] {"", "pushgateway"}) {
      String sel = "{job=\"" + job + "\",source=\"" + source + "\"}";
      assertEquals(source, N, value("beam_it_elements_total" + sel), 0);
      assertEquals(source, N, value("beam_it_value_count" + sel), 0);
      assertEquals(source, N * (N + 1) / 2.0, value("beam_it_value_sum" + sel), 0);
      assertEquals(source, 1, value("beam_it_value_min" + sel), 0);
      assertEquals(source, N, value("beam_it_value_max" + sel), 0);
      assertEquals(source, 42, value("beam_it_answer" + sel), 0);
      Map<Map<String, String>, Double> kinds =
          PROMETHEUS.awaitSeries("beam_it_kinds_info" + sel, 2, 30_000);
      List<String> values = new ArrayList<>();
      kinds.keySet().forEach(l -> values.add(l.get("value")));
      values.sort(null);
      assertEquals(source, List.of("even", "odd"), values);
      Map<String, String> labels =
          new TreeMap<>(
              PROMETHEUS
                  .awaitSeries("beam_it_elements_total" + sel, 1, 30_000)
                  .keySet()
                  .iterator()
                  .next());
      assertEquals("it", labels.get("namespace"));
      assertTrue(labels.toString(), labels.get("step").contains("Instrumented"));
    }
  }

  @Test
  public void metricsSinkPushesWhenTheRunnerCallsIt() throws Exception {
    // Beam 2.62: the classic FlinkRunner's MetricsPusher calls sinks when an attached job ends;
    // DirectRunner never does (that is what PrometheusMetricsExporter is for).
    String job = "sink_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Pipeline p =
        instrumentedPipeline(
            runner,
            "--metricsSink=io.prombeam.metrics.PrometheusMetricsSink",
            "--metricsPushPeriod=1",
            "--prometheusPushgatewayUrl=" + GATEWAY.url(),
            "--prometheusJobName=" + job);
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
    // MetricsPusher pushes from its own thread, around the job's end: give it a moment.
    Map<String, Map<Map<String, String>, String>> group = GATEWAY.group(Map.of("job", job));
    for (int i = 0; i < 50 && group == null && runner.equals(Runners.FLINK_LOCAL); i++) {
      Thread.sleep(200);
      group = GATEWAY.group(Map.of("job", job));
    }
    if (runner.equals(Runners.FLINK_LOCAL)) {
      assertEquals(
          Double.valueOf(N),
          Double.valueOf(group.get("beam_it_elements_total").values().iterator().next()));
    } else {
      Thread.sleep(2000);
      assertEquals(
          "DirectRunner does not call metrics sinks in Beam 2.62",
          null,
          GATEWAY.group(Map.of("job", job)));
    }
  }

  private static double value(String promql) throws Exception {
    Map<Map<String, String>, Double> r = PROMETHEUS.awaitSeries(promql, 1, 30_000);
    assertEquals(promql + " -> " + r, 1, r.size());
    return r.values().iterator().next();
  }

  private static String only(Map<Map<String, String>, String> series, String field) {
    String json = series.values().iterator().next();
    // summaries come back as {"labels":..,"count":"N","sum":"S","quantiles":{}}
    int i = json.indexOf("\"" + field + "\":\"");
    return json.substring(i + field.length() + 4, json.indexOf('"', i + field.length() + 4));
  }
}
