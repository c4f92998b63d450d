package io.prombeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.PrometheusRemote.LabelMatcher;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.joda.time.Duration;
import org.junit.Test;

public class SourcePartsTest {

  @Test
  public void parsesSelectors() {
    List<LabelMatcher> m =
        SelectorParser.parse("http_requests_total{job=\"api\", code!~'5..' ,path=~\"/a\\\"b\"}");
    assertEquals(4, m.size());
    assertEquals("__name__", m.get(0).getName());
    assertEquals("http_requests_total", m.get(0).getValue());
    assertEquals(LabelMatcher.Type.EQ, m.get(1).getType());
    assertEquals(LabelMatcher.Type.NRE, m.get(2).getType());
    assertEquals("5..", m.get(2).getValue());
    assertEquals("/a\"b", m.get(3).getValue());
    List<LabelMatcher> n = SelectorParser.parse("{__name__=~\"http_.*\",job!=\"x\"}");
    assertEquals(LabelMatcher.Type.RE, n.get(0).getType());
    assertEquals(LabelMatcher.Type.NEQ, n.get(1).getType());
    assertEquals(1, SelectorParser.parse("up").size());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SelectorParser.parse("up{job=x}"));
    assertThat(e.getMessage(), containsString("quoted value expected"));
    assertThrows(IllegalArgumentException.class, () -> SelectorParser.parse("{}"));
    assertThrows(IllegalArgumentException.class, () -> SelectorParser.parse("up{job=\"x\""));
  }

  @Test
  public void splitsRangesOnTheStepGridWithoutOverlap() {
    List<TimeRanges.Range> r = TimeRanges.forQueryRange(0, 100_000, 10_000, 4);
    assertEquals(
        List.of(
            new TimeRanges.Range(0, 30_000),
            new TimeRanges.Range(40_000, 70_000),
            new TimeRanges.Range(80_000, 100_000)),
        r);
    assertEquals(
        List.of(new TimeRanges.Range(0, 59), new TimeRanges.Range(60, 100)),
        TimeRanges.bySpan(0, 100, 60));
    assertEquals(1, TimeRanges.forQueryRange(5, 5, 1000, 10_000).size());
  }

  @Test
  public void refusedQueriesFailWithTheServersMessageAndServerErrorsAreRetried() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse().setResponseCode(503));
      server.enqueue(
          new MockResponse()
              .setResponseCode(200)
              .setBody(
                  "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"up\",\"job\":\"x\"},"
                      + "\"values\":[[1700000000,\"1\"],[1700000015.5,\"+Inf\"],[1700000030,\"NaN\"]]}]}}"));
      server.enqueue(
          new MockResponse()
              .setResponseCode(400)
              .setBody(
                  "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error:"
                      + " unexpected <EOF>\"}"));
      PrometheusApiClient c =
          new PrometheusApiClient(
              HttpEndpoint.create().withUrl(server.url("/prefix/").toString()),
              RetryPolicy.forSinks().withMinBackoff(Duration.millis(5)));
      List<TimeSeries> got = c.queryRange("up", 1_700_000_000_000L, 1_700_000_030_000L, 15_000);
      assertEquals(1, got.size());
      assertEquals(1_700_000_015_500L, got.get(0).timestamp(1));
      assertEquals(Double.POSITIVE_INFINITY, got.get(0).value(1), 0);
      assertEquals("x", got.get(0).labels().get("job"));
      assertEquals("/prefix/api/v1/query_range", server.takeRequest().getPath());
      assertThat(server.takeRequest().getBody().readUtf8(), containsString("step=15"));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> c.queryRange("rate(", 0, 1000, 1000));
      assertThat(e.getMessage(), containsString("bad_data: 1:5: parse error: unexpected <EOF>"));
    }
  }
}
