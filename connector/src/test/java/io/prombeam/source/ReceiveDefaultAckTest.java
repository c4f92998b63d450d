package io.prombeam.source;

import static org.junit.Assert.assertEquals;

import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/**
 * The ack mode {@code receive()} picks when none is set: at-least-once without endless re-sends on
 * each runner. Flink is told apart by its runner's name and its {@code --checkpointingInterval}.
 */
public class ReceiveDefaultAckTest {
  /** Stands in for the FlinkRunner, which the connector does not depend on. */
  public static final class FlinkRunner extends PipelineRunner<PipelineResult> {
    public static FlinkRunner fromOptions(PipelineOptions options) {
      return new FlinkRunner();
    }

    @Override
    public PipelineResult run(Pipeline pipeline) {
      throw new UnsupportedOperationException();
    }
  }

  private static AckMode ackFor(Class<? extends PipelineRunner<?>> runner, Long interval) {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(runner);
    if (interval != null) { // as --checkpointingInterval sets it
      options.as(Receive.CheckpointingOption.class).setCheckpointingInterval(interval);
    }
    return Receive.defaultAckMode(options);
  }

  @Test
  public void displayDataShowsTheDefaultsAndNoSecret() {
    String shown =
        org.apache.beam.sdk.transforms.display.DisplayData.from(
                io.prombeam.PrometheusIO.receive()
                    .withUrl("http://0.0.0.0:9201/api/v1/write")
                    .withBearerToken("tok-secret-1"))
            .toString();
    org.junit.Assert.assertTrue(shown, shown.contains("per runner"));
    org.junit.Assert.assertTrue(shown, shown.contains("bearer token"));
    org.junit.Assert.assertFalse(shown, shown.contains("tok-secret-1"));
  }

  @Test
  public void directRunnerAcksOnRead() {
    assertEquals(AckMode.ON_READ, ackFor(DirectRunner.class, null));
  }

  @Test
  public void flinkAcksOnCheckpointOnlyWhenItCheckpoints() {
    assertEquals(AckMode.ON_READ, ackFor(FlinkRunner.class, null));
    assertEquals(AckMode.ON_CHECKPOINT, ackFor(FlinkRunner.class, 5000L));
  }
}
