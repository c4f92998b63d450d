package io.prombeam.aggregate;

import com.tdunning.math.stats.MergingDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * The per-window, per-label-set combiners. Each outputs a {@code double[]} whose last element is
 * the latest event time (ms) seen, which stamps panes of the global window.
 */
final class Accumulators {
  private Accumulators() {}

  /** Coder for double[] (state and accumulators). */
  static final class DoubleArrayCoder extends AtomicCoder<double[]> {
    private static final long serialVersionUID = 1L;
    static final DoubleArrayCoder INSTANCE = new DoubleArrayCoder();

    @Override
    public void encode(double[] v, OutputStream out) throws IOException {
      VarIntCoder.of().encode(v.length, out);
      for (double d : v) {
        DoubleCoder.of().encode(d, out);
      }
    }

    @Override
    public double[] decode(InputStream in) throws IOException {
      double[] v = new double[VarIntCoder.of().decode(in)];
      for (int i = 0; i < v.length; i++) {
        v[i] = DoubleCoder.of().decode(in);
      }
      return v;
    }
  }

  /**
   * Sums of a fixed layout: one sum (counter), per-bucket counts + sum + count (histogram; counts
   * per bucket, not yet cumulative over {@code le}), or sum + count (summary's running part).
   */
  static final class SumFn extends Combine.CombineFn<Observation, double[], double[]> {
    private static final long serialVersionUID = 1L;

    /** null: counter (one sum); empty: sum + count; else histogram bucket bounds. */
    private final double[] bounds;

    private SumFn(double[] bounds) {
      this.bounds = bounds;
    }

    static SumFn counter() {
      return new SumFn(null);
    }

    static SumFn sumAndCount() {
      return new SumFn(new double[0]);
    }

    static SumFn histogram(double[] bounds) {
      return new SumFn(bounds);
    }

    /** Values before the trailing timestamp. */
    int width() {
      return bounds == null ? 1 : bounds.length == 0 ? 2 : bounds.length + 3;
    }

    @Override
    public double[] createAccumulator() {
      double[] a = new double[width() + 1];
      a[a.length - 1] = Long.MIN_VALUE;
      return a;
    }

    @Override
    public double[] addInput(double[] acc, Observation o) {
      if (bounds == null) {
        acc[0] += o.value;
      } else if (bounds.length == 0) {
        acc[0] += o.value;
        acc[1] += 1;
      } else {
        acc[Buckets.indexOf(bounds, o.value)] += 1;
        acc[bounds.length + 1] += o.value;
        acc[bounds.length + 2] += 1;
      }
      acc[acc.length - 1] = Math.max(acc[acc.length - 1], o.timestampMillis);
      return acc;
    }

    @Override
    public double[] mergeAccumulators(Iterable<double[]> accs) {
      double[] out = createAccumulator();
      for (double[] a : accs) {
        for (int i = 0; i < out.length - 1; i++) {
          out[i] += a[i];
        }
        out[out.length - 1] = Math.max(out[out.length - 1], a[a.length - 1]);
      }
      return out;
    }

    @Override
    public double[] extractOutput(double[] acc) {
      return acc;
    }

    @Override
    public Coder<double[]> getAccumulatorCoder(CoderRegistry r, Coder<Observation> in) {
      return DoubleArrayCoder.INSTANCE;
    }

    @Override
    public Coder<double[]> getDefaultOutputCoder(CoderRegistry r, Coder<Observation> in) {
      return DoubleArrayCoder.INSTANCE;
    }
  }

  /** A gauge's reduction: [value, latest timestamp]. */
  static final class GaugeFn extends Combine.CombineFn<Observation, double[], double[]> {
    private static final long serialVersionUID = 1L;
    private final GaugeReduction reduction;

    GaugeFn(GaugeReduction reduction) {
      this.reduction = reduction;
    }

    // acc: [value-or-sum, count, timestamp of value (LAST), latest timestamp]
    @Override
    public double[] createAccumulator() {
      return new double[] {Double.NaN, 0, Long.MIN_VALUE, Long.MIN_VALUE};
    }

    @Override
    public double[] addInput(double[] acc, Observation o) {
      return merge(acc, new double[] {o.value, 1, o.timestampMillis, o.timestampMillis});
    }

    private double[] merge(double[] a, double[] b) {
      if (a[1] == 0) {
        return b.clone();
      }
      if (b[1] == 0) {
        return a;
      }
      double v;
      switch (reduction) {
        case LAST:
          v = b[2] > a[2] || (b[2] == a[2] && b[0] > a[0]) ? b[0] : a[0];
          break;
        case MIN:
          v = Math.min(a[0], b[0]);
          break;
        case MAX:
          v = Math.max(a[0], b[0]);
          break;
        default: // SUM and MEAN keep the sum
          v = a[0] + b[0];
      }
      return new double[] {v, a[1] + b[1], Math.max(a[2], b[2]), Math.max(a[3], b[3])};
    }

    @Override
    public double[] mergeAccumulators(Iterable<double[]> accs) {
      double[] out = createAccumulator();
      for (double[] a : accs) {
        out = merge(out, a);
      }
      return out;
    }

    @Override
    public double[] extractOutput(double[] acc) {
      double v = reduction == GaugeReduction.MEAN ? acc[0] / acc[1] : acc[0];
      return new double[] {v, acc[3]};
    }

    @Override
    public Coder<double[]> getAccumulatorCoder(CoderRegistry r, Coder<Observation> in) {
      return DoubleArrayCoder.INSTANCE;
    }

    @Override
    public Coder<double[]> getDefaultOutputCoder(CoderRegistry r, Coder<Observation> in) {
      return DoubleArrayCoder.INSTANCE;
    }
  }

  /** A t-digest per window: outputs the requested quantiles and the latest timestamp. */
  static final class QuantilesFn extends Combine.CombineFn<Observation, QuantilesFn.Acc, double[]> {
    private static final long serialVersionUID = 1L;

    /** t-digest compression: rank error about 1/compression, far less at the tails. */
    static final double COMPRESSION = 200;

    private final double[] quantiles;

    QuantilesFn(double[] quantiles) {
      this.quantiles = quantiles;
    }

    static final class Acc {
      MergingDigest digest = new MergingDigest(COMPRESSION);
      long latest = Long.MIN_VALUE;
    }

    @Override
    public Acc createAccumulator() {
      return new Acc();
    }

    @Override
    public Acc addInput(Acc acc, Observation o) {
      acc.digest.add(o.value, 1);
      acc.latest = Math.max(acc.latest, o.timestampMillis);
      return acc;
    }

    @Override
    public Acc mergeAccumulators(Iterable<Acc> accs) {
      Acc out = new Acc();
      java.util.List<com.tdunning.math.stats.TDigest> digests = new java.util.ArrayList<>();
      for (Acc a : accs) {
        digests.add(a.digest);
        out.latest = Math.max(out.latest, a.latest);
      }
      out.digest.add(digests);
      return out;
    }

    @Override
    public double[] extractOutput(Acc acc) {
      double[] out = new double[quantiles.length + 1];
      for (int i = 0; i < quantiles.length; i++) {
        out[i] = acc.digest.size() == 0 ? Double.NaN : acc.digest.quantile(quantiles[i]);
      }
      out[quantiles.length] = acc.latest;
      return out;
    }

    @Override
    public Coder<Acc> getAccumulatorCoder(CoderRegistry r, Coder<Observation> in) {
      return new AtomicCoder<Acc>() {
        @Override
        public void encode(Acc a, OutputStream out) throws IOException {
          a.digest.compress();
          ByteBuffer buf = ByteBuffer.allocate(a.digest.byteSize());
          a.digest.asBytes(buf);
          ByteArrayCoder.of().encode(buf.array(), out);
          DoubleCoder.of().encode((double) a.latest, out);
        }

        @Override
        public Acc decode(InputStream in) throws IOException {
          Acc a = new Acc();
          a.digest = MergingDigest.fromBytes(ByteBuffer.wrap(ByteArrayCoder.of().decode(in)));
          a.latest = DoubleCoder.of().decode(in).longValue();
          return a;
        }
      };
    }

    @Override
    public Coder<double[]> getDefaultOutputCoder(CoderRegistry r, Coder<Observation> in) {
      return DoubleArrayCoder.INSTANCE;
    }
  }
}
