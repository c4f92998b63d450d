package io.prombeam.aggregate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One observed value and its event time, the input of every aggregation; with a trace id when the
 * aggregation keeps exemplars.
 */
final class Observation implements Serializable {
  private static final long serialVersionUID = 1L;

  final double value;
  final long timestampMillis;
  final @Nullable String traceId;

  Observation(double value, long timestampMillis) {
    this(value, timestampMillis, null);
  }

  Observation(double value, long timestampMillis, @Nullable String traceId) {
    this.value = value;
    this.timestampMillis = timestampMillis;
    this.traceId = traceId;
  }

  /** Codes value and time. */
  static final class ObservationCoder extends AtomicCoder<Observation> {
    private static final long serialVersionUID = 1L;
    static final ObservationCoder INSTANCE = new ObservationCoder();

    @Override
    public void encode(Observation o, OutputStream out) throws IOException {
      DoubleCoder.of().encode(o.value, out);
      VarLongCoder.of().encode(o.timestampMillis, out);
    }

    @Override
    public Observation decode(InputStream in) throws IOException {
      return new Observation(DoubleCoder.of().decode(in), VarLongCoder.of().decode(in));
    }
  }

  /**
   * Codes value, time and trace id (empty when none); used only where exemplars are kept, so other
   * aggregations pay nothing for them.
   */
  static final class TracedObservationCoder extends AtomicCoder<Observation> {
    private static final long serialVersionUID = 1L;
    static final TracedObservationCoder INSTANCE = new TracedObservationCoder();

    @Override
    public void encode(Observation o, OutputStream out) throws IOException {
      ObservationCoder.INSTANCE.encode(o, out);
      StringUtf8Coder.of().encode(o.traceId == null ? "" : o.traceId, out);
    }

    @Override
    public Observation decode(InputStream in) throws IOException {
      Observation o = ObservationCoder.INSTANCE.decode(in);
      String id = StringUtf8Coder.of().decode(in);
      return id.isEmpty() ? o : new Observation(o.value, o.timestampMillis, id);
    }
  }
}
