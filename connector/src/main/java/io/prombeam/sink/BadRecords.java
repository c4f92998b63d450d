package io.prombeam.sink;

import io.prombeam.model.TimeSeriesCoder;
import java.io.IOException;
import org.apache.beam.sdk.annotations.Internal;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.values.PCollection;

/** Turns {@link WriteFailure}s into Beam's dead-letter {@link BadRecord}s. */
@Internal
public final class BadRecords {
  private BadRecords() {}

  /** Failure records as Beam {@link BadRecord}s, for a dead-letter {@code ErrorHandler}. */
  public static PTransform<PCollection<WriteFailure>, PCollection<BadRecord>> fromFailures() {
    return new PTransform<PCollection<WriteFailure>, PCollection<BadRecord>>() {
      @Override
      public PCollection<BadRecord> expand(PCollection<WriteFailure> failures) {
        return failures
            .apply(ParDo.of(new ToBadRecordFn()))
            .setCoder(BadRecord.getCoder(failures.getPipeline()));
      }
    };
  }

  static BadRecord toBadRecord(WriteFailure f) throws IOException {
    return BadRecord.builder()
        .setRecord(
            BadRecord.Record.builder()
                .setHumanReadableJsonRecord(jsonString(f.series().toString()))
                .addCoderAndEncodedRecord(TimeSeriesCoder.of(), f.series())
                .build())
        .setFailure(
            BadRecord.Failure.builder()
                .setException(
                    f.reason()
                        + (f.rule() != null ? " " + f.rule() : "")
                        + (f.httpStatus() != 0 ? " HTTP " + f.httpStatus() : ""))
                .setDescription(f.message())
                .build())
        .build();
  }

  private static String jsonString(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  private static final class ToBadRecordFn extends DoFn<WriteFailure, BadRecord> {
    @ProcessElement
    public void process(@Element WriteFailure f, OutputReceiver<BadRecord> out) throws IOException {
      out.output(toBadRecord(f));
    }
  }
}
