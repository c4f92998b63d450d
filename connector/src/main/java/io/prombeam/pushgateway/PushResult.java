package io.prombeam.pushgateway;

import io.prombeam.sink.SinkResult;
import io.prombeam.sink.WriteFailure;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/** Outputs of {@link Pushgateway}: one {@link PushSummary} per push, failures per series. */
public final class PushResult extends SinkResult<PushSummary> {
  PushResult(
      Pipeline pipeline,
      TupleTag<PushSummary> successTag,
      PCollection<PushSummary> successes,
      PCollection<WriteFailure> failures) {
    super(pipeline, successTag, successes, failures);
  }
}
