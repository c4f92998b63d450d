package io.prombeam.remotewrite;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.prombeam.PrometheusIO;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.joda.time.Duration;
import org.junit.Test;

/**
 * Credentials never appear in logs, failure records, exceptions, toString or display data, even
 * when the receiver refuses and retries happen: everything printed during a run is captured and
 * scanned.
 */
public class SecretsNeverShownTest {
  private static final String PASSWORD = "pw-4f9a-SECRET";
  private static final String TOKEN_HEADER = "tenant-7c1e-SECRET";
  static final java.util.concurrent.ConcurrentLinkedQueue<String> FAILURES =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  static final class Keep extends DoFn<WriteFailure, Void> {
    @ProcessElement
    public void process(@Element WriteFailure f) {
      FAILURES.add(f.toString() + " | " + f.message());
    }
  }

  @Test
  public void noCredentialInAnythingPrinted() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    PrintStream oldOut = System.out;
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    String everything;
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse().setResponseCode(503).setBody("try later"));
      server.enqueue(new MockResponse().setResponseCode(401).setBody("unauthorized"));
      server.start();
      System.setErr(tee);
      System.setOut(tee);
      RemoteWrite sink =
          PrometheusIO.remoteWrite()
              .withUrl(server.url("/api/v1/write").toString())
              .withBasicAuth("alice", PASSWORD)
              .withHeader("X-Scope-OrgID", TOKEN_HEADER)
              .withMinBackoff(Duration.millis(10))
              .withShards(1);
      Pipeline p =
          Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
      p.apply(Create.of(TimeSeries.builder("m").sample(1, 1).build()))
          .apply(sink)
          .getFailures()
          .apply(ParDo.of(new Keep()));
      p.run().waitUntilFinish();
      everything =
          captured.toString(StandardCharsets.UTF_8)
              + String.join("\n", FAILURES)
              + DisplayData.from(sink)
              + sink
              + sink.endpoint();
      assertEquals(2, server.getRequestCount());
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
    }
    String basic =
        Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertFalse("the refusal was reported", FAILURES.isEmpty());
    // the logs were captured: the sender's retry warning and the sink's error line are in them
    org.junit.Assert.assertTrue(everything, everything.contains("retrying in"));
    org.junit.Assert.assertTrue(everything, everything.contains("not delivered"));
    for (String secret : List.of(PASSWORD, TOKEN_HEADER, basic)) {
      assertFalse("secret shown: " + secret, everything.contains(secret));
    }
  }

  @Test
  public void credentialsInTheUrlAreNotDisplayed() {
    RemoteWrite sink =
        PrometheusIO.remoteWrite()
            .withUrl(
                "https://bob:urlpass-SECRET@metrics.example:443/api/v1/write?api_key=key-SECRET&tenant=t1");
    String shown =
        DisplayData.from(sink)
            + " "
            + sink
            + " "
            + sink.endpoint()
            + " "
            + sink.endpoint().redactedUrl();
    assertFalse(shown, shown.contains("urlpass-SECRET"));
    assertFalse(shown, shown.contains("key-SECRET"));
    org.junit.Assert.assertTrue(
        shown, shown.contains("https://metrics.example/api/v1/write?api_key=***&tenant=***"));
    IllegalArgumentException bad =
        org.junit.Assert.assertThrows(
            IllegalArgumentException.class,
            () -> PrometheusIO.remoteWrite().withUrl("htp://bob:urlpass-SECRET@host/x"));
    assertFalse(bad.getMessage(), bad.getMessage().contains("urlpass-SECRET"));
  }
}
