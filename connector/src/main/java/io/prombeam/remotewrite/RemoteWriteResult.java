package io.prombeam.remotewrite;

import io.prombeam.model.WriteFailure;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Outputs of {@link RemoteWrite}: one {@link WriteSummary} per delivered request, and one
 * {@link WriteFailure} per series that was not delivered (invalid, rejected, or retries
 * exhausted). Nothing the sink takes in is dropped without appearing in one of them.
 */
public final class RemoteWriteResult implements POutput {
  private final Pipeline pipeline;
  private final TupleTag<WriteSummary> successTag;
  private final PCollection<WriteSummary> successes;
  private final TupleTag<WriteFailure> failureTag;
  private final PCollection<WriteFailure> failures;

  RemoteWriteResult(
      Pipeline pipeline,
      TupleTag<WriteSummary> successTag,
      PCollection<WriteSummary> successes,
      TupleTag<WriteFailure> failureTag,
      PCollection<WriteFailure> failures) {
    this.pipeline = pipeline;
    this.successTag = successTag;
    this.successes = successes;
    this.failureTag = failureTag;
    this.failures = failures;
  }

  public PCollection<WriteSummary> getSuccesses() {
    return successes;
  }

  public PCollection<WriteFailure> getFailures() {
    return failures;
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(successTag, successes, failureTag, failures);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
