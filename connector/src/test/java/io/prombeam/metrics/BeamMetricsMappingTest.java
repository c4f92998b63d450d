package io.prombeam.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.prombeam.model.MetricType;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.TimeSeries;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricKey;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.StringSetResult;
import org.joda.time.Instant;
import org.junit.Test;

public class BeamMetricsMappingTest {
  private static MetricKey key(String step, String ns, String name) {
    return MetricKey.create(step, MetricName.named(ns, name));
  }

  private static Map<String, TimeSeries> byName(List<TimeSeries> series) {
    Map<String, TimeSeries> m = new HashMap<>();
    for (TimeSeries ts : series) {
      m.put(
          ts.metricName()
              + (ts.labels().get("value") == null ? "" : "/" + ts.labels().get("value")),
          ts);
    }
    return m;
  }

  @Test
  public void mapsEveryKindWithLabelsTypesAndTimestamps() {
    MetricQueryResults r =
        MetricQueryResults.create(
            List.of(MetricResult.create(key("ParDo(Parse)", "my.app", "bad-records"), 5L, 7L)),
            List.of(
                MetricResult.attempted(
                    key("Step", "app", "latency ms"), DistributionResult.create(60, 3, 10, 30))),
            List.of(
                MetricResult.attempted(
                    key("Step", "app", "queue"), GaugeResult.create(9, new Instant(1234)))),
            List.of(
                MetricResult.attempted(
                    key(null, "app", "tables"), StringSetResult.create(Set.of("a", "b")))));
    BeamMetricsMapping.Mapped m = new BeamMetricsMapping("beam", "myjob").map(r, 5000);
    Map<String, TimeSeries> s = byName(m.series);

    TimeSeries c = s.get("beam_my_app_bad_records_total");
    assertEquals(5.0, c.value(0), 0); // committed preferred
    assertEquals(5000, c.timestamp(0));
    assertEquals(MetricType.COUNTER, c.metadata().type());
    assertEquals("myjob", c.labels().get("job"));
    assertEquals("my.app", c.labels().get("namespace"));
    assertEquals("ParDo(Parse)", c.labels().get("step"));

    assertEquals(3.0, s.get("beam_app_latency_ms_count").value(0), 0);
    assertEquals(60.0, s.get("beam_app_latency_ms_sum").value(0), 0);
    assertEquals(MetricType.SUMMARY, s.get("beam_app_latency_ms_sum").metadata().type());
    assertEquals(10.0, s.get("beam_app_latency_ms_min").value(0), 0);
    assertEquals(30.0, s.get("beam_app_latency_ms_max").value(0), 0);

    TimeSeries g = s.get("beam_app_queue");
    assertEquals(9.0, g.value(0), 0);
    assertEquals(1234, g.timestamp(0)); // the gauge's own timestamp
    assertEquals(MetricType.GAUGE, g.metadata().type());

    assertEquals(1.0, s.get("beam_app_tables_info/a").value(0), 0);
    assertEquals(1.0, s.get("beam_app_tables_info/b").value(0), 0);
    assertEquals(null, s.get("beam_app_tables_info/a").labels().get("step"));

    assertFalse(
        "a distribution without committed values makes the export attempted", m.allCommitted);
    for (TimeSeries ts : m.series) {
      assertFalse(ts.toString(), SeriesValidator.DEFAULT.validate(ts).isPresent());
    }
  }

  @Test
  public void sanitizesDeterministically() {
    assertEquals("a_b_c:d", BeamMetricsMapping.sanitize("a.b-c:d"));
    assertEquals("_9lives", BeamMetricsMapping.sanitize("9lives"));
    assertEquals("x__", BeamMetricsMapping.sanitize("x\u00e9\u4e2d"));
  }

  @Test
  public void reportsCollisionsInsteadOfMerging() {
    MetricQueryResults r =
        MetricQueryResults.create(
            List.of(
                MetricResult.create(key("s", "ns", "a.b"), 1L, 1L),
                MetricResult.create(key("s", "ns", "a-b"), 2L, 2L)),
            List.of(),
            List.of(),
            List.of());
    BeamMetricsMapping.Mapped m = new BeamMetricsMapping("beam", "j").map(r, 1);
    assertEquals(1, m.series.size());
    assertEquals(2.0, m.series.get(0).value(0), 0); // "a-b" sorts before "a.b": kept
    assertEquals(1, m.problems.size());
    assertThat(m.problems.get(0), containsString("ns:a.b"));
    assertThat(m.problems.get(0), containsString("beam_ns_a_b_total"));
    assertTrue(m.allCommitted);
  }

  @Test
  public void boundsStringSets() {
    Set<String> many = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      many.add("v" + i);
    }
    MetricQueryResults r =
        MetricQueryResults.create(
            List.of(),
            List.of(),
            List.of(),
            List.of(MetricResult.attempted(key("s", "ns", "set"), StringSetResult.create(many))));
    BeamMetricsMapping.Mapped m = new BeamMetricsMapping("beam", "j", 10).map(r, 1);
    assertEquals(10, m.series.size());
    assertThat(m.problems.get(0), containsString("500 values"));
  }
}
