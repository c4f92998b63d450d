package io.prombeam.aggregate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** One observed value and its event time, the input of every aggregation. */
final class Observation implements Serializable {
  private static final long serialVersionUID = 1L;

  final double value;
  final long timestampMillis;

  Observation(double value, long timestampMillis) {
    this.value = value;
    this.timestampMillis = timestampMillis;
  }

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
}
