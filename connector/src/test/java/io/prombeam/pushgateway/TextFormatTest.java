package io.prombeam.pushgateway;

import static org.junit.Assert.assertEquals;

import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.junit.Test;

public class TextFormatTest {

  @Test
  public void groupsFamiliesWritesHelpAndTypeOnceAndEscapes() {
    MetricMetadata hist =
        MetricMetadata.of(MetricType.HISTOGRAM, "Latency\nin \\seconds\\ \"quoted\"");
    List<TimeSeries> in =
        List.of(
            TimeSeries.builder("lat_seconds_bucket")
                .label("le", "0.5")
                .sample(1, 3)
                .metadata(hist)
                .build(),
            TimeSeries.builder("jobs_total")
                .label("path", "C:\\x \"y\"\nz")
                .sample(1, 2)
                .sample(5, 7)
                .type(MetricType.COUNTER)
                .build(),
            TimeSeries.builder("lat_seconds_bucket")
                .label("le", "+Inf")
                .sample(1, 4)
                .metadata(hist)
                .build(),
            TimeSeries.builder("lat_seconds_sum").sample(1, 1.25).metadata(hist).build(),
            TimeSeries.builder("lat_seconds_count").sample(1, 4).metadata(hist).build(),
            TimeSeries.builder("temp").sample(1, Double.NEGATIVE_INFINITY).build());
    String text = TextFormat.write(TextFormat.families(in).values());
    assertEquals(
        "# HELP lat_seconds Latency\\nin \\\\seconds\\\\ \"quoted\"\n"
            + "# TYPE lat_seconds histogram\n"
            + "lat_seconds_bucket{le=\"0.5\"} 3\n"
            + "lat_seconds_bucket{le=\"+Inf\"} 4\n"
            + "lat_seconds_sum 1.25\n"
            + "lat_seconds_count 4\n"
            + "# TYPE jobs_total counter\n"
            + "jobs_total{path=\"C:\\\\x \\\"y\\\"\\nz\"} 7\n"
            + "# TYPE temp untyped\n"
            + "temp -Inf\n",
        text);
  }

  @Test
  public void formatsValuesTheWayGoParsesThem() {
    assertEquals("NaN", TextFormat.formatValue(Double.NaN));
    assertEquals("+Inf", TextFormat.formatValue(Double.POSITIVE_INFINITY));
    assertEquals("42", TextFormat.formatValue(42.0));
    assertEquals("-0.5", TextFormat.formatValue(-0.5));
    assertEquals("1.0E20", TextFormat.formatValue(1e20));
  }

  @Test
  public void groupPathsUseBase64ForSlashesAndEmptyValues() {
    HttpUrl base = HttpUrl.get("http://gw:9091/");
    assertEquals(
        "/metrics/job/batch/instance/host-1",
        GroupingKey.url(base, "batch", Map.of("instance", "host-1")).encodedPath());
    assertEquals(
        "/metrics/job@base64/YS9i/path@base64/L3Zhci90bXA=",
        GroupingKey.url(base, "a/b", Map.of("path", "/var/tmp")).encodedPath());
    assertEquals(
        "/metrics/job/j/instance@base64/=",
        GroupingKey.url(base, "j", Map.of("instance", "")).encodedPath());
    assertEquals(
        "/prefix/metrics/job/j%20k",
        GroupingKey.url(HttpUrl.get("http://gw:9091/prefix"), "j k", Map.of()).encodedPath());
  }
}
