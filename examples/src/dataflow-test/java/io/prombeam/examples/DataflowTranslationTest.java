package io.prombeam.examples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.dataflow.model.DataflowPackage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.dataflow.options.DataflowPipelineDebugOptions;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.runners.dataflow.util.DataflowTemplateJob;
import org.apache.beam.runners.dataflow.util.PackageUtil;
import org.apache.beam.runners.dataflow.util.Stager;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every example pipeline goes through the real {@code DataflowRunner.run()} — option validation,
 * Dataflow's transform overrides, translation to the portable pipeline proto and to the v1 job spec
 * — with no GCP access: a no-op path validator and credentials, a stager that keeps files locally,
 * and {@code --templateLocation}, which makes the runner write the job spec to a file instead of
 * submitting it. The test then reads both artifacts back.
 */
public class DataflowTranslationTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** Stages into a local directory (Dataflow's own stager would upload to Cloud Storage). */
  public static final class LocalStager implements Stager {
    private final Path dir;

    LocalStager(Path dir) {
      this.dir = dir;
    }

    @Override
    public List<DataflowPackage> stageFiles(List<PackageUtil.StagedFile> files) {
      List<DataflowPackage> out = new ArrayList<>();
      for (PackageUtil.StagedFile f : files) {
        out.add(new DataflowPackage().setName(f.getDestination()).setLocation(f.getSource()));
      }
      return out;
    }

    @Override
    public DataflowPackage stageToFile(byte[] bytes, String baseName) {
      try {
        Path p = dir.resolve(baseName);
        Files.write(p, bytes);
        return new DataflowPackage().setName(baseName).setLocation(p.toString());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * DataflowRunner options that need no GCP: a made-up project and bucket, no-op path validation
   * and credentials, and {@code --templateLocation}, so the job spec goes to {@code jobFile}
   * instead of the Dataflow service.
   */
  static List<String> offlineArgs(File jobFile) {
    return List.of(
        "--runner=DataflowRunner",
        "--project=prombeam-offline",
        "--region=europe-west1",
        "--tempLocation=gs://prombeam-offline/tmp",
        "--gcpTempLocation=gs://prombeam-offline/tmp",
        "--pathValidatorClass=org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator",
        "--credentialFactoryClass=org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
        "--templateLocation=" + jobFile.getAbsolutePath(),
        "--filesToStage=" + stagedDirectory());
  }

  /** Something real to stage: this test's own classes directory. */
  static String stagedDirectory() {
    try {
      return new File(
              DataflowTranslationTest.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI())
          .getAbsolutePath();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Translated {
    JsonNode job;
    RunnerApi.Pipeline pipeline;
    Set<String> stepNames = new TreeSet<>();
    Set<String> transformNames = new TreeSet<>();
  }

  private <O extends PipelineOptions> Translated translate(
      Class<O> optionsClass, Function<O, PipelineResult> run, String... exampleArgs)
      throws Exception {
    File staging = tmp.newFolder();
    File jobFile = new File(staging, "job.json");
    List<String> args = new ArrayList<>(offlineArgs(jobFile));
    args.addAll(List.of(exampleArgs));
    O options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withValidation()
            .as(optionsClass);
    options.as(DataflowPipelineDebugOptions.class).setStager(new LocalStager(staging.toPath()));

    PipelineResult result = run.apply(options);
    assertThat(
        "--templateLocation: written, not submitted",
        result,
        instanceOf(DataflowTemplateJob.class));

    Translated t = new Translated();
    t.job = new ObjectMapper().readTree(jobFile);
    for (JsonNode step : t.job.path("steps")) {
      t.stepNames.add(step.path("properties").path("user_name").asText());
    }
    String pipelineUrl = options.as(DataflowPipelineOptions.class).getPipelineUrl();
    t.pipeline = RunnerApi.Pipeline.parseFrom(Files.readAllBytes(Path.of(pipelineUrl)));
    t.pipeline
        .getComponents()
        .getTransformsMap()
        .values()
        .forEach(tr -> t.transformNames.add(tr.getUniqueName()));
    return t;
  }

  /**
   * The sink as Dataflow gets it: for a batch job the per-series merge as a {@code Combine.perKey}
   * (which Dataflow lifts before its shuffle) and the sender after it; for a streaming job the
   * per-shard writer, which keeps its reorder buffer in Beam state, as a stateful ParDo.
   */
  private static void assertSinkTranslated(Translated t, String sinkName) {
    Map<String, RunnerApi.PTransform> transforms = t.pipeline.getComponents().getTransformsMap();
    if (t.job.path("type").asText().equals("JOB_TYPE_BATCH")) {
      assertThat(t.transformNames, hasItem(sinkName + "/MergeInBundle"));
      assertThat(t.transformNames, hasItem(sinkName + "/SendSeries"));
      boolean combine =
          transforms.values().stream()
              .anyMatch(
                  tr ->
                      tr.getUniqueName().equals(sinkName + "/MergePerSeries")
                          && tr.getSpec().getUrn().equals("beam:transform:combine_per_key:v1"));
      assertTrue(sinkName + "/MergePerSeries is a combine_per_key in the pipeline proto", combine);
      return;
    }
    assertThat(t.transformNames, hasItem(sinkName + "/ValidateAndShard"));
    boolean stateful =
        transforms.values().stream()
            .filter(tr -> tr.getUniqueName().startsWith(sinkName + "/SendPerShard"))
            .filter(tr -> tr.getSpec().getUrn().equals("beam:transform:pardo:v1"))
            .anyMatch(
                tr -> {
                  try {
                    return !RunnerApi.ParDoPayload.parseFrom(tr.getSpec().getPayload())
                        .getStateSpecsMap()
                        .isEmpty();
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                });
    assertTrue(sinkName + "/SendPerShard is a stateful ParDo in the pipeline proto", stateful);
  }

  @Test
  public void remoteWriteExampleTranslatesToABatchJob() throws Exception {
    Translated t =
        translate(
            RemoteWriteExample.Options.class,
            RemoteWriteExample::run,
            "--remoteWriteUrl=http://prometheus.example:9090/api/v1/write");
    assertEquals("JOB_TYPE_BATCH", t.job.path("type").asText());
    assertSinkTranslated(t, "RemoteWrite");
  }

  @Test
  public void liveSensorsExampleTranslatesToAStreamingJob() throws Exception {
    Translated t =
        translate(
            LiveSensorsExample.Options.class,
            LiveSensorsExample::run,
            "--remoteWriteUrl=http://prometheus.example:9090/api/v1/write",
            "--durationSeconds=5");
    assertEquals("JOB_TYPE_STREAMING", t.job.path("type").asText());
    assertSinkTranslated(t, "RemoteWrite");
  }

  @Test
  public void windowedAggregationExampleTranslates() throws Exception {
    Translated t =
        translate(
            WindowedAggregationExample.Options.class,
            WindowedAggregationExample::run,
            "--remoteWriteUrl=http://prometheus.example:9090/api/v1/write");
    assertThat(t.transformNames, hasItem("RequestsTotal"));
    assertThat(t.transformNames, hasItem("Latency"));
    assertSinkTranslated(t, "RemoteWrite");
  }

  @Test
  public void sourceExamplesTranslate() throws Exception {
    Translated scrape =
        translate(
            ScrapeAggregateExample.Options.class,
            ScrapeAggregateExample::run,
            "--remoteWriteUrl=http://prometheus.example:9090/api/v1/write",
            "--targets=http://node.example:9100/metrics",
            "--runSeconds=5");
    assertEquals("JOB_TYPE_STREAMING", scrape.job.path("type").asText());
    Translated roundTrip =
        translate(
            RoundTripExample.Options.class,
            RoundTripExample::run,
            "--sourceUrl=http://prometheus.example:9090",
            "--targetUrl=http://other.example:9090/api/v1/write",
            "--selector={job=\"api\"}");
    assertEquals("JOB_TYPE_BATCH", roundTrip.job.path("type").asText());
    assertTrue(roundTrip.stepNames.size() > 0);
  }
}
