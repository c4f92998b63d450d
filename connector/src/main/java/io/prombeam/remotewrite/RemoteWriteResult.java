package io.prombeam.remotewrite;

import io.prombeam.sink.SinkResult;
import io.prombeam.sink.WriteFailure;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Outputs of {@link RemoteWrite}: one {@link WriteSummary} per delivered request ({@link
 * #getSuccesses()}), and one {@link WriteFailure} per series that was not delivered (invalid,
 * rejected, or retries exhausted; {@link #getFailures()}).
 */
public final class RemoteWriteResult extends SinkResult<WriteSummary> {
  RemoteWriteResult(
      Pipeline pipeline,
      TupleTag<WriteSummary> successTag,
      PCollection<WriteSummary> successes,
      PCollection<WriteFailure> failures) {
    super(pipeline, successTag, successes, failures);
  }
}
