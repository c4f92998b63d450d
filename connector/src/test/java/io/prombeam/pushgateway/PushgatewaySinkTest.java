package io.prombeam.pushgateway;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.prombeam.PrometheusIO;
import io.prombeam.model.MetricType;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** The bytes a push puts on the wire, retries, and family consistency. */
public class PushgatewaySinkTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  private MockWebServer server;

  @Before
  public void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @After
  public void stop() throws Exception {
    server.shutdown();
  }

  @Test
  public void retriesA503AndPushesTheLatestValueWithoutTimestamps() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(503));
    server.enqueue(new MockResponse().setResponseCode(200));
    TimeSeries a =
        TimeSeries.builder("queue_depth")
            .label("instance", "w1")
            .sample(1000, 5)
            .sample(2000, 7)
            .type(MetricType.GAUGE)
            .help("Depth.")
            .build();
    TimeSeries conflicting =
        TimeSeries.builder("queue_depth")
            .label("instance", "w1")
            .label("q", "x")
            .sample(1000, 1)
            .type(MetricType.COUNTER)
            .build();
    PCollection<WriteFailure> failures =
        pipeline
            .apply(Create.of(a, conflicting))
            .apply(
                PrometheusIO.pushgateway()
                    .withUrl(server.url("/").toString())
                    .withJob("j")
                    .withGroupingLabels("instance")
                    .withBasicAuth("u", "pw-secret-9")
                    .withMinBackoff(Duration.millis(10)))
            .getFailures();
    PAssert.that(failures)
        .satisfies(
            fs -> {
              WriteFailure f = fs.iterator().next();
              assertEquals(SeriesRule.FAMILY_TYPE_CONFLICT, f.rule());
              return null;
            });
    pipeline.run().waitUntilFinish();

    RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
    RecordedRequest second = server.takeRequest(1, TimeUnit.SECONDS);
    assertEquals("PUT", second.getMethod());
    assertEquals("/metrics/job/j/instance/w1", second.getPath());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", second.getHeader("Content-Type"));
    String body = second.getBody().readUtf8();
    assertEquals("the retry repeats the same push", first.getBody().readUtf8(), body);
    // exactly one of the two series made it, depending on which came first; the other failed
    boolean gaugeWon = body.contains("# TYPE queue_depth gauge");
    assertEquals(
        gaugeWon
            ? "# HELP queue_depth Depth.\n# TYPE queue_depth gauge\nqueue_depth 7\n"
            : "# TYPE queue_depth counter\nqueue_depth{q=\"x\"} 1\n",
        body);
    assertEquals(2, server.getRequestCount());
  }

  @Test
  public void displayDataHidesCredentials() {
    Pushgateway p =
        PrometheusIO.pushgateway()
            .withUrl("http://gw:9091")
            .withJob("j")
            .withBearerToken("tok-secret-1");
    String shown = DisplayData.from(p).toString() + p;
    assertFalse(shown, shown.contains("tok-secret-1"));
  }
}
