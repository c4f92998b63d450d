package io.prombeam.examples;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.prombeam.metrics.PrometheusMetricsExporter;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.dataflow.DataflowClient;
import org.apache.beam.runners.dataflow.DataflowPipelineJob;
import org.apache.beam.runners.dataflow.options.DataflowPipelineDebugOptions;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.ParDo;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code PrometheusMetricsExporter} on a {@link DataflowPipelineJob}, the {@code PipelineResult}
 * {@code DataflowRunner} returns, without GCP: the job's Dataflow API (job state and {@code
 * jobs.getMetrics}, in the service's JSON) is served on loopback, and what the exporter sends is
 * decoded from the remote-write requests it makes. Dataflow reports committed and tentative
 * (attempted) values side by side; the exporter must send the committed ones, under the user's step
 * name, which Beam maps from Dataflow's internal step id (a transform id of the portable pipeline
 * the runner staged).
 */
public class DataflowMetricsExportTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private HttpServer server;

  @After
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static String metricUpdate(
      String step, String ns, String name, boolean tentative, String valueJson) {
    return "{\"name\":{\"origin\":\"user\",\"name\":\""
        + name
        + "\",\"context\":{\"step\":\""
        + step
        + "\",\"namespace\":\""
        + ns
        + "\""
        + (tentative ? ",\"tentative\":\"true\"" : "")
        + "}},"
        + valueJson
        + ",\"updateTime\":\"2026-11-25T10:00:00Z\"}";
  }

  @Test
  public void exportsCommittedValuesOfADataflowJobUnderTheUserStepName() throws Exception {
    // 1. The real runner translates the pipeline (offline, as in DataflowTranslationTest).
    File jobFile = tmp.newFile("job.json");
    String[] args = DataflowTranslationTest.offlineArgs(jobFile).toArray(new String[0]);
    DataflowPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args).as(DataflowPipelineOptions.class);
    options
        .as(DataflowPipelineDebugOptions.class)
        .setStager(new DataflowTranslationTest.LocalStager(tmp.newFolder().toPath()));
    Pipeline p = Pipeline.create(options);
    p.apply(GenerateSequence.from(0).to(1000))
        .apply("ParseOrders", ParDo.of(new BeamMetricsExample.ParseOrders()));
    p.run();
    // Runner v2 (Beam 2.62's default) names steps by the portable pipeline's transform ids.
    RunnerApi.Pipeline proto =
        RunnerApi.Pipeline.parseFrom(
            Files.readAllBytes(
                Path.of(options.as(DataflowPipelineOptions.class).getPipelineUrl())));
    String stepId = null;
    String userStepName = null;
    for (Map.Entry<String, RunnerApi.PTransform> t :
        proto.getComponents().getTransformsMap().entrySet()) {
      if (t.getValue().getUniqueName().startsWith("ParseOrders/")
          && t.getValue().getSpec().getUrn().equals("beam:transform:pardo:v1")) {
        stepId = t.getKey();
        userStepName = t.getValue().getUniqueName();
      }
    }
    assertTrue("ParseOrders' ParDo is in the pipeline proto", stepId != null);

    // 2. The Dataflow API of a finished job, on loopback.
    String metrics =
        "{\"metrics\":["
            + metricUpdate(stepId, "orders", "parsed", false, "\"scalar\":989")
            + ","
            + metricUpdate(stepId, "orders", "parsed", true, "\"scalar\":1002")
            + ","
            + metricUpdate(stepId, "orders", "rejected", false, "\"scalar\":11")
            + ","
            + metricUpdate(stepId, "orders", "rejected", true, "\"scalar\":11")
            + ","
            + metricUpdate(
                stepId,
                "orders",
                "items_per_order",
                false,
                "\"distribution\":{\"count\":989,\"sum\":3953,\"min\":1,\"max\":7}")
            + ","
            + metricUpdate(
                stepId,
                "orders",
                "items_per_order",
                true,
                "\"distribution\":{\"count\":1002,\"sum\":4001,\"min\":1,\"max\":7}")
            + "]}";
    List<List<TimeSeries>> received = new CopyOnWriteArrayList<>();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          byte[] body;
          int status = 200;
          if (path.equals("/api/v1/write")) {
            try {
              received.add(RemoteWriteCodec.decodeWriteRequest(ex.getRequestBody().readAllBytes()));
              body = new byte[0];
              status = 204;
            } catch (Exception e) {
              body = e.toString().getBytes(StandardCharsets.UTF_8);
              status = 400;
            }
          } else if (path.endsWith("/jobs/job-1/metrics")) {
            body = metrics.getBytes(StandardCharsets.UTF_8);
          } else if (path.endsWith("/jobs/job-1")) {
            body =
                "{\"id\":\"job-1\",\"currentState\":\"JOB_STATE_DONE\"}"
                    .getBytes(StandardCharsets.UTF_8);
          } else {
            body =
                ("{\"error\":{\"code\":404,\"message\":\"" + path + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            status = 404;
          }
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          if (body.length > 0) {
            ex.getResponseBody().write(body);
          }
          ex.close();
        });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();

    // 3. The PipelineResult DataflowRunner would return, talking to that API.
    DataflowPipelineOptions jobOptions =
        PipelineOptionsFactory.fromArgs(args).as(DataflowPipelineOptions.class);
    jobOptions.setApiRootUrl(base + "/");
    jobOptions.setTemplateLocation(null);
    DataflowPipelineJob job =
        new DataflowPipelineJob(
            DataflowClient.create(jobOptions), "job-1", jobOptions, Map.of(), proto);

    try (PrometheusMetricsExporter exporter =
        PrometheusMetricsExporter.start(
            job,
            PrometheusMetricsExporter.config("dataflow_job")
                .withRemoteWriteUrl(base + "/api/v1/write")
                .withPeriod(Duration.standardHours(1)))) {
      assertEquals("DONE", job.getState().name());
    } // close() exports

    assertEquals(1, received.size());
    Map<String, Double> byName = new HashMap<>();
    for (TimeSeries ts : received.get(0)) {
      assertEquals(userStepName, ts.labels().get("step"));
      assertEquals("dataflow_job", ts.labels().get("job"));
      byName.put(ts.metricName(), ts.value(ts.sampleCount() - 1));
    }
    assertEquals(
        "committed, not the tentative 1002", 989.0, byName.get("beam_orders_parsed_total"), 0);
    assertEquals(11.0, byName.get("beam_orders_rejected_total"), 0);
    assertEquals(989.0, byName.get("beam_orders_items_per_order_count"), 0);
    assertEquals(3953.0, byName.get("beam_orders_items_per_order_sum"), 0);
    assertEquals(7.0, byName.get("beam_orders_items_per_order_max"), 0);
  }
}
