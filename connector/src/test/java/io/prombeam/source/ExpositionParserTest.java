package io.prombeam.source;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import java.util.List;
import org.junit.Test;

public class ExpositionParserTest {

  @Test
  public void parsesTextFormatWithTypesHelpEscapesAndTimestamps() {
    String text =
        "# HELP http_requests_total The total number of HTTP requests.\n"
            + "# TYPE http_requests_total counter\n"
            + "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
            + "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
            + "\n"
            + "# Escaping in label values:\n"
            + "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find"
            + " file:\\n"
            + "\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
            + "# HELP rpc_duration_seconds A summary.\n"
            + "# TYPE rpc_duration_seconds summary\n"
            + "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
            + "rpc_duration_seconds_sum 1.7560473e+07\n"
            + "rpc_duration_seconds_count 2693\n"
            + "something_weird{problem=\"division by zero\"} +Inf -3982045\n";
    List<TimeSeries> s = ExpositionParser.parse(text, "text/plain; version=0.0.4", 42);
    assertEquals(7, s.size());
    assertEquals(1395066363000L, s.get(0).timestamp(0));
    assertEquals(1027, s.get(0).value(0), 0);
    assertEquals(MetricType.COUNTER, s.get(0).metadata().type());
    assertEquals("The total number of HTTP requests.", s.get(0).metadata().help());
    assertEquals("C:\\DIR\\FILE.TXT", s.get(2).labels().get("path"));
    assertEquals("Cannot find file:\n\"FILE.TXT\"", s.get(2).labels().get("error"));
    assertEquals(42, s.get(2).timestamp(0));
    assertNull(s.get(2).metadata());
    assertEquals(MetricType.SUMMARY, s.get(4).metadata().type()); // _sum belongs to the family
    assertEquals(-3982045, s.get(6).timestamp(0));
    assertEquals(Double.POSITIVE_INFINITY, s.get(6).value(0), 0);
  }

  @Test
  public void parsesOpenMetricsWithSecondsTimestampsUnitsAndExemplars() {
    String text =
        "# TYPE acme_http_router_request_seconds summary\n"
            + "# UNIT acme_http_router_request_seconds seconds\n"
            + "# HELP acme_http_router_request_seconds Latency.\n"
            + "acme_http_router_request_seconds_sum{path=\"/api/v1\",method=\"GET\"} 9036.32"
            + " 1600000000.5\n"
            + "# TYPE foo counter\n"
            + "foo_total 17.0 # {trace_id=\"KOO5S4vxi0o\"} 0.67\n"
            + "foo_created 1520430000.123\n"
            + "# TYPE rpc histogram\n"
            + "rpc_bucket{le=\"0.5\"} 3 1600000001 # {trace_id=\"a b\",span=\"x\"} 0.25"
            + " 1600000000.25\n"
            + "# EOF\n";
    List<TimeSeries> s =
        ExpositionParser.parse(
            text, "application/openmetrics-text; version=1.0.0; charset=utf-8", 7);
    assertEquals(4, s.size());
    assertEquals(1600000000500L, s.get(0).timestamp(0));
    assertEquals("seconds", s.get(0).metadata().unit());
    assertEquals(17.0, s.get(1).value(0), 0);
    assertEquals(MetricType.COUNTER, s.get(1).metadata().type());
    assertEquals(7, s.get(2).timestamp(0));
    // exemplars are kept: without a timestamp they take the sample's
    assertEquals(
        List.of(Exemplar.of(Labels.of("trace_id", "KOO5S4vxi0o"), 0.67, 7)), s.get(1).exemplars());
    assertEquals(
        List.of(Exemplar.of(Labels.of("trace_id", "a b", "span", "x"), 0.25, 1600000000250L)),
        s.get(3).exemplars());
    assertEquals(0, s.get(0).exemplarCount());
  }
}
