package io.prombeam.aggregate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * The summary's accuracy promises (docs/aggregation.md), with values split over shards, partial
 * accumulators sent through the accumulator coder and merged, as runners do:
 *
 * <ul>
 *   <li>up to {@code maxExactValues} (default 10,000) values per window, every quantile is exact
 *       (nearest rank) and does not depend on how the values were split or merged;
 *   <li>above it, a t-digest within the rank error stated per quantile.
 * </ul>
 */
public class QuantileErrorBoundTest {
  private static final double[] QS = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999};

  /** Stated t-digest rank error bound per quantile of {@link #QS}, as |rank/n - q|. */
  private static final double[] DIGEST_BOUND = {0.001, 0.003, 0.005, 0.003, 0.001, 0.0005};

  private static double[] data(int n, long seed) {
    Random rnd = new Random(seed);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = Math.exp(rnd.nextGaussian()) * 100; // log-normal latencies
    }
    return d;
  }

  /** The quantiles of {@code values} split over {@code shards} accumulators in shuffled order. */
  private static double[] summarize(double[] values, int shards, long seed, int maxExact)
      throws Exception {
    Accumulators.QuantilesFn fn = new Accumulators.QuantilesFn(QS, maxExact);
    Coder<Accumulators.QuantilesFn.Acc> coder =
        fn.getAccumulatorCoder(CoderRegistry.createDefault(), null);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    List<Accumulators.QuantilesFn.Acc> accs = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      accs.add(fn.createAccumulator());
    }
    int k = 0;
    for (int i : order) {
      fn.addInput(accs.get(k++ % shards), new Observation(values[i], i));
    }
    List<Accumulators.QuantilesFn.Acc> shipped = new ArrayList<>();
    for (Accumulators.QuantilesFn.Acc a : accs) {
      shipped.add(CoderUtils.clone(coder, a));
    }
    double[] out = fn.extractOutput(fn.mergeAccumulators(shipped));
    assertEquals(values.length - 1, (long) out[QS.length]); // the latest event time
    return out;
  }

  private static double nearestRank(double[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  @Test
  public void exactAt100And1000ValuesWhateverTheSplitAndMergeOrder() throws Exception {
    for (int n : new int[] {100, 1_000, 10_000}) {
      double[] values = data(n, n);
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      double[] first = summarize(values, 1, 1, Accumulators.QuantilesFn.DEFAULT_MAX_EXACT_VALUES);
      for (int i = 0; i < QS.length; i++) {
        assertEquals("n=" + n + " q=" + QS[i], nearestRank(sorted, QS[i]), first[i], 0);
      }
      for (int shards : new int[] {3, 8}) {
        double[] other =
            summarize(values, shards, shards, Accumulators.QuantilesFn.DEFAULT_MAX_EXACT_VALUES);
        assertTrue("n=" + n + ": independent of the split", Arrays.equals(first, other));
      }
    }
  }

  @Test
  public void aboveTheExactLimitTheDigestStaysWithinTheStatedRankErrorAt100000Values()
      throws Exception {
    int n = 100_000;
    double[] values = data(n, 42);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double[] out = summarize(values, 8, 7, Accumulators.QuantilesFn.DEFAULT_MAX_EXACT_VALUES);
    for (int i = 0; i < QS.length; i++) {
      int rank = Arrays.binarySearch(sorted, out[i]);
      rank = rank >= 0 ? rank : -rank - 1;
      double err = Math.abs((double) rank / n - QS[i]);
      assertTrue(
          "q=" + QS[i] + " estimate " + out[i] + " has rank error " + err + " > " + DIGEST_BOUND[i],
          err <= DIGEST_BOUND[i]);
    }
  }

  @Test
  public void zeroKeepsEveryValueExactly() throws Exception {
    double[] values = data(30_000, 3);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double[] out = summarize(values, 4, 4, 0);
    for (int i = 0; i < QS.length; i++) {
      assertEquals(nearestRank(sorted, QS[i]), out[i], 0);
    }
  }
}
