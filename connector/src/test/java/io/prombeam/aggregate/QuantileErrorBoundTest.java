package io.prombeam.aggregate;

import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * The summary's stated error bound: with t-digest compression 200, the rank of each reported
 * quantile is within 0.5% of the requested one (|rank/n - q| <= 0.005), including after partial
 * digests are merged and sent through the accumulator coder, as runners do.
 */
public class QuantileErrorBoundTest {
  private static final double[] QS = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999};

  @Test
  public void rankErrorWithinHalfAPercentOnSkewedDataMergedFromShards() throws Exception {
    Random rnd = new Random(42);
    int n = 200_000;
    double[] data = new double[n];
    Accumulators.QuantilesFn fn = new Accumulators.QuantilesFn(QS);
    Coder<Accumulators.QuantilesFn.Acc> coder =
        fn.getAccumulatorCoder(CoderRegistry.createDefault(), null);
    List<Accumulators.QuantilesFn.Acc> shards = new ArrayList<>();
    for (int s = 0; s < 8; s++) {
      shards.add(fn.createAccumulator());
    }
    for (int i = 0; i < n; i++) {
      double v = Math.exp(rnd.nextGaussian()) * 100; // log-normal latencies
      data[i] = v;
      fn.addInput(shards.get(i % 8), new Observation(v, i));
    }
    List<Accumulators.QuantilesFn.Acc> shipped = new ArrayList<>();
    for (Accumulators.QuantilesFn.Acc a : shards) {
      shipped.add(CoderUtils.clone(coder, a));
    }
    double[] out = fn.extractOutput(fn.mergeAccumulators(shipped));
    Arrays.sort(data);
    for (int i = 0; i < QS.length; i++) {
      int rank = Arrays.binarySearch(data, out[i]);
      rank = rank >= 0 ? rank : -rank - 1;
      double err = Math.abs((double) rank / n - QS[i]);
      assertTrue("q=" + QS[i] + " estimate " + out[i] + " has rank error " + err, err <= 0.005);
    }
    assertTrue(out[QS.length] == n - 1); // latest event time
  }
}
