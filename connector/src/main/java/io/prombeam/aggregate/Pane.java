package io.prombeam.aggregate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** One fired pane of one label set: its values and the timestamp it asks for. */
final class Pane implements Serializable {
  private static final long serialVersionUID = 1L;

  final double[] values;

  /** The window's last millisecond, or for the global window the latest event time seen. */
  final long timestamp;

  /** The window's start (for _created). */
  final long windowStart;

  /** An early (speculative) pane: emitted at once instead of in timestamp order. */
  final boolean early;

  Pane(double[] values, long timestamp, long windowStart, boolean early) {
    this.values = values;
    this.timestamp = timestamp;
    this.windowStart = windowStart;
    this.early = early;
  }

  static final class PaneCoder extends AtomicCoder<Pane> {
    private static final long serialVersionUID = 1L;
    static final PaneCoder INSTANCE = new PaneCoder();

    @Override
    public void encode(Pane p, OutputStream out) throws IOException {
      Accumulators.DoubleArrayCoder.INSTANCE.encode(p.values, out);
      VarLongCoder.of().encode(p.timestamp, out);
      VarLongCoder.of().encode(p.windowStart, out);
      out.write(p.early ? 1 : 0);
    }

    @Override
    public Pane decode(InputStream in) throws IOException {
      return new Pane(
          Accumulators.DoubleArrayCoder.INSTANCE.decode(in),
          VarLongCoder.of().decode(in),
          VarLongCoder.of().decode(in),
          in.read() == 1);
    }
  }
}
