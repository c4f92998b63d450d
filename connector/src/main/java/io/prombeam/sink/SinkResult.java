package io.prombeam.sink;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What a prombeam sink outputs: one success record per delivered request, and one {@link
 * WriteFailure} per series that was not delivered. Nothing a sink takes in is dropped without
 * appearing in one of them (or failing the pipeline, under FAIL_PIPELINE).
 */
public abstract class SinkResult<SuccessT> implements POutput {
  private final Pipeline pipeline;
  private final TupleTag<SuccessT> successTag;
  private final PCollection<SuccessT> successes;
  private final TupleTag<WriteFailure> failureTag = new TupleTag<WriteFailure>() {};
  private final PCollection<WriteFailure> failures;

  protected SinkResult(
      Pipeline pipeline,
      TupleTag<SuccessT> successTag,
      PCollection<SuccessT> successes,
      PCollection<WriteFailure> failures) {
    this.pipeline = pipeline;
    this.successTag = successTag;
    this.successes = successes;
    this.failures = failures;
  }

  /** One summary per successful request or push. */
  public PCollection<SuccessT> getSuccesses() {
    return successes;
  }

  /** One record per series not delivered. */
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
