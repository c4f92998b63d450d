package io.prombeam.aggregate;

import io.prombeam.model.Exemplar;
import io.prombeam.model.TimeSeriesCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.DoubleCoder;
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

  /** Exemplars picked in the pane (native histograms with trace ids), else none. */
  final Exemplar[] exemplars;

  static final Exemplar[] NO_EXEMPLARS = new Exemplar[0];

  Pane(double[] values, long timestamp, long windowStart, boolean early) {
    this(values, timestamp, windowStart, early, NO_EXEMPLARS);
  }

  Pane(double[] values, long timestamp, long windowStart, boolean early, Exemplar[] exemplars) {
    this.values = values;
    this.timestamp = timestamp;
    this.windowStart = windowStart;
    this.early = early;
    this.exemplars = exemplars;
  }

  /** Exemplars as a count and then each one's labels, value bits and timestamp. */
  static final class ExemplarsCoder {
    private ExemplarsCoder() {}

    static void encode(Exemplar[] exemplars, OutputStream out) throws IOException {
      VarLongCoder.of().encode((long) exemplars.length, out);
      for (Exemplar e : exemplars) {
        TimeSeriesCoder.encodeLabels(e.labels(), out);
        DoubleCoder.of().encode(e.value(), out);
        VarLongCoder.of().encode(e.timestamp(), out);
      }
    }

    static Exemplar[] decode(InputStream in) throws IOException {
      long n = VarLongCoder.of().decode(in);
      if (n < 0 || n > 1 << 20) {
        throw new CoderException("exemplar count " + n + " out of range");
      }
      Exemplar[] out = new Exemplar[(int) n];
      for (int i = 0; i < out.length; i++) {
        out[i] =
            Exemplar.of(
                TimeSeriesCoder.decodeLabels(in),
                DoubleCoder.of().decode(in),
                VarLongCoder.of().decode(in));
      }
      return out;
    }
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
      ExemplarsCoder.encode(p.exemplars, out);
    }

    @Override
    public Pane decode(InputStream in) throws IOException {
      return new Pane(
          Accumulators.DoubleArrayCoder.INSTANCE.decode(in),
          VarLongCoder.of().decode(in),
          VarLongCoder.of().decode(in),
          in.read() == 1,
          ExemplarsCoder.decode(in));
    }
  }
}
