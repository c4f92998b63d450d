package io.prombeam.aggregate;

import com.tdunning.math.stats.MergingDigest;
import com.tdunning.math.stats.TDigest;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.util.VarInt;
import org.checkerframework.checker.nullness.qual.Nullable;

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

  /**
   * A window's quantiles and latest timestamp. Exact while the window holds at most {@code
   * maxExactValues} values (all kept, sorted at the end: the nearest-rank quantile, the smallest
   * value with at least {@code q * n} values at or below it, the same whatever the merge order);
   * above that a t-digest, whose rank error is bounded but whose result may depend on the order
   * partial digests are merged in.
   */
  static final class QuantilesFn extends Combine.CombineFn<Observation, QuantilesFn.Acc, double[]> {
    private static final long serialVersionUID = 1L;

    /** t-digest compression: rank error about 1/compression, far less at the tails. */
    static final double COMPRESSION = 200;

    /** Values kept exactly per window and label set unless configured: 80 KB. */
    static final int DEFAULT_MAX_EXACT_VALUES = 10_000;

    private final double[] quantiles;
    private final int maxExactValues;

    QuantilesFn(double[] quantiles, int maxExactValues) {
      this.quantiles = quantiles;
      this.maxExactValues = maxExactValues == 0 ? Integer.MAX_VALUE : maxExactValues;
    }

    /** Either exact values ({@code digest == null}) or a digest. */
    static final class Acc {
      double[] values = new double[16];
      int count;
      @Nullable MergingDigest digest;
      long latest = Long.MIN_VALUE;

      void addExact(double v) {
        if (count == values.length) {
          values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = v;
      }

      /** Switches to a digest holding every value kept so far. */
      void toDigest() {
        if (digest == null) {
          digest = new MergingDigest(COMPRESSION);
          for (int i = 0; i < count; i++) {
            digest.add(values[i], 1);
          }
          values = null;
          count = 0;
        }
      }
    }

    @Override
    public Acc createAccumulator() {
      return new Acc();
    }

    @Override
    public Acc addInput(Acc acc, Observation o) {
      if (acc.digest == null && acc.count < maxExactValues) {
        acc.addExact(o.value);
      } else {
        acc.toDigest();
        acc.digest.add(o.value, 1);
      }
      acc.latest = Math.max(acc.latest, o.timestampMillis);
      return acc;
    }

    @Override
    public Acc mergeAccumulators(Iterable<Acc> accs) {
      Acc out = new Acc();
      long exact = 0;
      boolean anyDigest = false;
      for (Acc a : accs) {
        exact += a.count;
        anyDigest |= a.digest != null;
        out.latest = Math.max(out.latest, a.latest);
      }
      if (!anyDigest && exact <= maxExactValues) {
        for (Acc a : accs) {
          for (int i = 0; i < a.count; i++) {
            out.addExact(a.values[i]);
          }
        }
        return out;
      }
      out.toDigest();
      List<TDigest> digests = new ArrayList<>();
      for (Acc a : accs) {
        if (a.digest != null) {
          digests.add(a.digest);
        } else {
          for (int i = 0; i < a.count; i++) {
            out.digest.add(a.values[i], 1);
          }
        }
      }
      out.digest.add(digests);
      return out;
    }

    @Override
    public double[] extractOutput(Acc acc) {
      double[] out = new double[quantiles.length + 1];
      double[] sorted = acc.digest == null ? Arrays.copyOf(acc.values, acc.count) : null;
      if (sorted != null) {
        Arrays.sort(sorted);
      }
      for (int i = 0; i < quantiles.length; i++) {
        if (sorted != null) {
          out[i] = sorted.length == 0 ? Double.NaN : nearestRank(sorted, quantiles[i]);
        } else {
          out[i] = acc.digest.size() == 0 ? Double.NaN : acc.digest.quantile(quantiles[i]);
        }
      }
      out[quantiles.length] = acc.latest;
      return out;
    }

    /** The smallest value with at least {@code q * n} values at or below it. */
    static double nearestRank(double[] sorted, double q) {
      int rank = (int) Math.ceil(q * sorted.length);
      return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    @Override
    public Coder<Acc> getAccumulatorCoder(CoderRegistry r, Coder<Observation> in) {
      return new AtomicCoder<Acc>() {
        @Override
        public void encode(Acc a, OutputStream out) throws IOException {
          DoubleCoder.of().encode((double) a.latest, out);
          if (a.digest == null) {
            VarInt.encode(a.count << 1, out);
            DataOutputStream data = new DataOutputStream(out);
            for (int i = 0; i < a.count; i++) {
              data.writeLong(Double.doubleToRawLongBits(a.values[i]));
            }
            data.flush();
          } else {
            VarInt.encode(1, out);
            a.digest.compress();
            ByteBuffer buf = ByteBuffer.allocate(a.digest.byteSize());
            a.digest.asBytes(buf);
            ByteArrayCoder.of().encode(buf.array(), out);
          }
        }

        @Override
        public Acc decode(InputStream in) throws IOException {
          Acc a = new Acc();
          a.latest = DoubleCoder.of().decode(in).longValue();
          int header = VarInt.decodeInt(in);
          if ((header & 1) == 0) {
            int n = header >>> 1;
            a.values = new double[Math.max(16, n)];
            DataInputStream data = new DataInputStream(in);
            for (int i = 0; i < n; i++) {
              a.values[i] = Double.longBitsToDouble(data.readLong());
            }
            a.count = n;
          } else {
            a.values = null;
            a.digest = MergingDigest.fromBytes(ByteBuffer.wrap(ByteArrayCoder.of().decode(in)));
          }
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
