package io.prombeam.aggregate;

import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.NativeHistogram;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * A native histogram being aggregated: exponential buckets by index, as Prometheus' client
 * libraries keep them. Observations go into the bucket of their schema; when more buckets are in
 * use than the limit allows, the resolution is halved (schema minus one: neighbouring buckets
 * merge) until they fit, as client_golang does, down to schema −4. Two histograms of different
 * schemas merge at the lower one, so a running total stays monotonic bucket by bucket.
 *
 * <p>Travels between the combine and the emitting step as a {@code double[]} of the layout {@code
 * [schema, zeroCount, count, sum, P, (index, count) × P, N, (index, count) × N]}, the shape the
 * other kinds' values have there.
 */
final class NativeBuckets {
  /** client_golang's default zero threshold, 2^-128. */
  static final double DEFAULT_ZERO_THRESHOLD = Math.scalb(1.0, -128);

  /** The default schema: buckets growing by 2^(1/8) ≈ 9% each, client_golang's default. */
  static final int DEFAULT_SCHEMA = 3;

  /** The default limit on buckets in use, OpenTelemetry's default. */
  static final int DEFAULT_MAX_BUCKETS = 160;

  /**
   * Per positive schema s, the bucket bounds within one power of two as fractions in [0.5, 1):
   * {@code 2^(j / 2^s - 1)} for {@code j < 2^s}.
   */
  private static final double[][] FRACTION_BOUNDS = new double[NativeHistogram.MAX_SCHEMA + 1][];

  static {
    for (int s = 1; s <= NativeHistogram.MAX_SCHEMA; s++) {
      int per = 1 << s;
      FRACTION_BOUNDS[s] = new double[per];
      for (int j = 0; j < per; j++) {
        FRACTION_BOUNDS[s][j] = Math.pow(2, (double) j / per - 1);
      }
    }
  }

  int schema;
  double zeroCount;
  double count;
  double sum;
  final TreeMap<Integer, Double> positive = new TreeMap<>();
  final TreeMap<Integer, Double> negative = new TreeMap<>();

  NativeBuckets(int schema) {
    this.schema = schema;
  }

  /**
   * The bucket index of {@code v > 0} at {@code schema}: the smallest {@code i} with {@code v <=
   * 2^(i * 2^-schema)}, computed from the binary exponent as Prometheus' clients do, so that powers
   * of two land exactly on a bucket's upper bound.
   */
  static int index(double v, int schema) {
    int exp = Math.getExponent(v) + 1; // v = frac * 2^exp, frac in [0.5, 1)
    double frac = Math.scalb(v, -exp);
    if (Math.getExponent(v) < Double.MIN_EXPONENT) { // subnormal
      exp = Math.getExponent(v * 0x1p54) + 1 - 54;
      frac = Math.scalb(v, -exp);
    }
    if (schema > 0) {
      double[] bounds = FRACTION_BOUNDS[schema];
      int j = java.util.Arrays.binarySearch(bounds, frac);
      j = j >= 0 ? j : -j - 1; // the smallest j with bounds[j] >= frac, or bounds.length
      return j + (exp - 1) * bounds.length;
    }
    int key = frac == 0.5 ? exp - 1 : exp;
    int div = 1 << -schema;
    return Math.floorDiv(key + div - 1, div);
  }

  void observe(double v, double zeroThreshold, int maxBuckets) {
    count++;
    sum += v;
    if (Double.isNaN(v)) {
      return; // counted and summed (the sum turns NaN), in no bucket, as Prometheus does
    }
    if (Math.abs(v) <= zeroThreshold) {
      zeroCount++;
    } else if (v > 0) {
      positive.merge(index(v, schema), 1.0, Double::sum);
    } else {
      negative.merge(index(-v, schema), 1.0, Double::sum);
    }
    limit(maxBuckets);
  }

  /** Adds {@code other}'s counts, at the lower of the two schemas. */
  void add(NativeBuckets other, int maxBuckets) {
    if (other.schema < schema) {
      reduceTo(other.schema);
    }
    int shift = other.schema - schema;
    zeroCount += other.zeroCount;
    count += other.count;
    sum += other.sum;
    for (Map.Entry<Integer, Double> e : other.positive.entrySet()) {
      positive.merge(lower(e.getKey(), shift), e.getValue(), Double::sum);
    }
    for (Map.Entry<Integer, Double> e : other.negative.entrySet()) {
      negative.merge(lower(e.getKey(), shift), e.getValue(), Double::sum);
    }
    limit(maxBuckets);
  }

  /** Halves the resolution until at most {@code maxBuckets} buckets are in use. */
  private void limit(int maxBuckets) {
    while (positive.size() + negative.size() > maxBuckets && schema > NativeHistogram.MIN_SCHEMA) {
      reduceTo(schema - 1);
    }
  }

  private void reduceTo(int target) {
    int shift = schema - target;
    rebucket(positive, shift);
    rebucket(negative, shift);
    schema = target;
  }

  private static void rebucket(TreeMap<Integer, Double> buckets, int shift) {
    if (shift == 0 || buckets.isEmpty()) {
      return;
    }
    TreeMap<Integer, Double> merged = new TreeMap<>();
    for (Map.Entry<Integer, Double> e : buckets.entrySet()) {
      merged.merge(lower(e.getKey(), shift), e.getValue(), Double::sum);
    }
    buckets.clear();
    buckets.putAll(merged);
  }

  /**
   * Bucket {@code i}'s index {@code shift} schemas lower: bucket (b^(i-1), b^i] lies within
   * (B^(j-1), B^j] for B = b^(2^shift) and j = ceil(i / 2^shift).
   */
  private static int lower(int i, int shift) {
    return shift == 0 ? i : Math.floorDiv(i + (1 << shift) - 1, 1 << shift);
  }

  double[] toArray() {
    double[] a = new double[6 + 2 * (positive.size() + negative.size())];
    a[0] = schema;
    a[1] = zeroCount;
    a[2] = count;
    a[3] = sum;
    int p = put(a, 4, positive);
    put(a, p, negative);
    return a;
  }

  private static int put(double[] a, int p, TreeMap<Integer, Double> buckets) {
    a[p++] = buckets.size();
    for (Map.Entry<Integer, Double> e : buckets.entrySet()) {
      a[p++] = e.getKey();
      a[p++] = e.getValue();
    }
    return p;
  }

  static NativeBuckets fromArray(double[] a) {
    NativeBuckets b = new NativeBuckets((int) a[0]);
    b.zeroCount = a[1];
    b.count = a[2];
    b.sum = a[3];
    int p = take(a, 4, b.positive);
    take(a, p, b.negative);
    return b;
  }

  private static int take(double[] a, int p, TreeMap<Integer, Double> into) {
    int n = (int) a[p++];
    for (int i = 0; i < n; i++) {
      into.put((int) a[p], a[p + 1]);
      p += 2;
    }
    return p;
  }

  /** The histogram with integer counts (every observation counts one). */
  NativeHistogram toHistogram(double zeroThreshold, NativeHistogram.ResetHint hint) {
    NativeHistogram.Builder h =
        NativeHistogram.builder(schema)
            .count((long) count)
            .sum(sum)
            .zeroThreshold(zeroThreshold)
            .zeroCount((long) zeroCount)
            .resetHint(hint);
    positive.forEach((i, c) -> h.positiveBucket(i, (long) (double) c));
    negative.forEach((i, c) -> h.negativeBucket(i, (long) (double) c));
    return h.build();
  }

  /**
   * Combines observations into native-histogram buckets; the output is {@link #toArray()} with the
   * latest event time appended, as every aggregation's combine output ends.
   */
  static final class CombineFn extends Combine.CombineFn<Observation, Acc, Out> {
    private static final long serialVersionUID = 1L;
    private final int schema;
    private final int maxBuckets;
    private final double zeroThreshold;

    CombineFn(int schema, int maxBuckets, double zeroThreshold) {
      this.schema = schema;
      this.maxBuckets = maxBuckets;
      this.zeroThreshold = zeroThreshold;
    }

    @Override
    public Acc createAccumulator() {
      return new Acc(new NativeBuckets(schema), Long.MIN_VALUE);
    }

    @Override
    public Acc addInput(Acc acc, Observation o) {
      acc.buckets.observe(o.value, zeroThreshold, maxBuckets);
      acc.latest = Math.max(acc.latest, o.timestampMillis);
      if (o.traceId != null) {
        acc.keepExemplar(
            bucketKey(o.value, acc.buckets.schema, zeroThreshold),
            Exemplar.of(Labels.of(TRACE_ID, o.traceId), o.value, o.timestampMillis));
      }
      return acc;
    }

    @Override
    public Acc mergeAccumulators(Iterable<Acc> accs) {
      Acc out = createAccumulator();
      for (Acc a : accs) {
        out.buckets.add(a.buckets, maxBuckets);
        out.latest = Math.max(out.latest, a.latest);
        for (Map.Entry<Long, Exemplar> e : a.exemplars().entrySet()) {
          out.keepExemplar(
              lowerKey(e.getKey(), a.buckets.schema - out.buckets.schema), e.getValue());
        }
      }
      return out;
    }

    @Override
    public Out extractOutput(Acc acc) {
      double[] a = acc.buckets.toArray();
      double[] values = java.util.Arrays.copyOf(a, a.length + 1);
      values[a.length] = acc.latest;
      return new Out(values, acc.exemplars().values().toArray(new Exemplar[0]));
    }

    @Override
    public Coder<Acc> getAccumulatorCoder(CoderRegistry r, Coder<Observation> in) {
      return AccCoder.INSTANCE;
    }

    @Override
    public Coder<Out> getDefaultOutputCoder(CoderRegistry r, Coder<Observation> in) {
      return OutCoder.INSTANCE;
    }
  }

  /** The exemplar label naming the trace an observation belongs to, as OpenMetrics has it. */
  static final String TRACE_ID = "trace_id";

  /**
   * Which bucket {@code v} falls in, as one number: the zero bucket, or a positive or negative
   * bucket index (side in the high half, index in the low half).
   */
  static long bucketKey(double v, int schema, double zeroThreshold) {
    if (Math.abs(v) <= zeroThreshold) {
      return 0;
    }
    int side = v > 0 ? 1 : 2;
    return ((long) side << 32) | (index(Math.abs(v), schema) & 0xFFFFFFFFL);
  }

  /** A bucket key {@code shift} schemas lower. */
  static long lowerKey(long key, int shift) {
    if (shift <= 0 || (key >>> 32) == 0) {
      return key;
    }
    return (key & 0xFFFFFFFF00000000L) | (lower((int) key, shift) & 0xFFFFFFFFL);
  }

  /** A combine's accumulator: the buckets, the latest event time, an exemplar per bucket. */
  static final class Acc {
    final NativeBuckets buckets;
    long latest;
    private TreeMap<Long, Exemplar> exemplars; // by bucket key at exemplarSchema; null: none
    private int exemplarSchema;

    Acc(NativeBuckets buckets, long latest) {
      this.buckets = buckets;
      this.latest = latest;
      this.exemplarSchema = buckets.schema;
    }

    /** The exemplars by bucket key at the buckets' current schema. */
    Map<Long, Exemplar> exemplars() {
      if (exemplars == null) {
        return java.util.Collections.emptyMap();
      }
      if (exemplarSchema != buckets.schema) { // the resolution was halved since: re-key them
        TreeMap<Long, Exemplar> rekeyed = new TreeMap<>();
        int shift = exemplarSchema - buckets.schema;
        exemplars.forEach((k, e) -> latest(rekeyed, lowerKey(k, shift), e));
        exemplars = rekeyed;
        exemplarSchema = buckets.schema;
      }
      return exemplars;
    }

    /** Keeps {@code e} for the bucket {@code key} (at the current schema) unless a later one is. */
    void keepExemplar(long key, Exemplar e) {
      exemplars(); // re-keyed to the current schema first
      if (exemplars == null) {
        exemplars = new TreeMap<>();
        exemplarSchema = buckets.schema;
      }
      latest(exemplars, key, e);
    }

    private static void latest(Map<Long, Exemplar> into, long key, Exemplar e) {
      Exemplar had = into.get(key);
      if (had == null || had.timestamp() <= e.timestamp()) {
        into.put(key, e);
      }
    }
  }

  /** A window's combined buckets (latest event time last) and the exemplars picked. */
  static final class Out {
    final double[] values;
    final Exemplar[] exemplars;

    Out(double[] values, Exemplar[] exemplars) {
      this.values = values;
      this.exemplars = exemplars;
    }
  }

  /** Codes an {@link Out}. */
  static final class OutCoder extends AtomicCoder<Out> {
    private static final long serialVersionUID = 1L;
    static final OutCoder INSTANCE = new OutCoder();

    @Override
    public void encode(Out o, OutputStream out) throws IOException {
      Accumulators.DoubleArrayCoder.INSTANCE.encode(o.values, out);
      Pane.ExemplarsCoder.encode(o.exemplars, out);
    }

    @Override
    public Out decode(InputStream in) throws IOException {
      return new Out(
          Accumulators.DoubleArrayCoder.INSTANCE.decode(in), Pane.ExemplarsCoder.decode(in));
    }
  }

  /**
   * Codes an accumulator as its array layout and the latest event time, then its exemplars with
   * their bucket keys.
   */
  static final class AccCoder extends AtomicCoder<Acc> {
    private static final long serialVersionUID = 1L;
    static final AccCoder INSTANCE = new AccCoder();

    @Override
    public void encode(Acc acc, OutputStream out) throws IOException {
      double[] a = acc.buckets.toArray();
      double[] withLatest = java.util.Arrays.copyOf(a, a.length + 1);
      withLatest[a.length] = acc.latest;
      Accumulators.DoubleArrayCoder.INSTANCE.encode(withLatest, out);
      Map<Long, Exemplar> ex = acc.exemplars();
      VarLongCoder.of().encode((long) ex.size(), out);
      for (Map.Entry<Long, Exemplar> e : ex.entrySet()) {
        VarLongCoder.of().encode(e.getKey(), out);
        Pane.ExemplarsCoder.encode(new Exemplar[] {e.getValue()}, out);
      }
    }

    @Override
    public Acc decode(InputStream in) throws IOException {
      double[] a = Accumulators.DoubleArrayCoder.INSTANCE.decode(in);
      Acc acc = new Acc(fromArray(a), (long) a[a.length - 1]);
      long n = VarLongCoder.of().decode(in);
      for (long i = 0; i < n; i++) {
        long key = VarLongCoder.of().decode(in);
        acc.keepExemplar(key, Pane.ExemplarsCoder.decode(in)[0]);
      }
      return acc;
    }
  }
}
