package io.prombeam.bench;

import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.remotewrite.RemoteWriteCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.util.CoderUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + snappy of one request of native histograms, per histogram, in remote-write 1.0 and 2.0:
 * 200 series of the usual 10 labels, 10 histograms each (schema 3, about 30 buckets from a
 * log-normal latency spread, as {@code PrometheusAggregate.nativeHistogram} makes them), an
 * exemplar per series. The setup prints the bytes per histogram of both protocols.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class HistogramEncodeBenchmark {
  public static final int SERIES = 200;
  public static final int PER_SERIES = 10;
  public static final int HISTOGRAMS = SERIES * PER_SERIES;

  List<TimeSeries> request;

  /** The request, decoded by the coder as the sink's writer holds it. */
  public static List<TimeSeries> histograms() throws Exception {
    List<TimeSeries> out = new ArrayList<>();
    java.util.Random random = new java.util.Random(1);
    long t0 = 1_700_000_000_000L;
    for (int s = 0; s < SERIES; s++) {
      TimeSeries.Builder b = Workloads.labelled(s);
      NativeHistogram.Builder running = null;
      long count = 0;
      double sum = 0;
      java.util.TreeMap<Integer, Long> buckets = new java.util.TreeMap<>();
      for (int i = 0; i < PER_SERIES; i++) {
        for (int k = 0; k < 100; k++) { // 100 observations per window, cumulative
          double v = Math.exp(random.nextGaussian() * 0.8 - 3); // ~50 ms median
          buckets.merge((int) Math.ceil(Math.log(v) / Math.log(2) * 8), 1L, Long::sum);
          count++;
          sum += v;
        }
        running = NativeHistogram.builder(3).count(count).sum(sum).zeroThreshold(0x1p-128);
        for (java.util.Map.Entry<Integer, Long> e : buckets.entrySet()) {
          running.positiveBucket(e.getKey(), e.getValue());
        }
        b.histogram(t0 + i * 15_000L, running.build());
      }
      b.exemplar(Exemplar.of(Labels.of("trace_id", Long.toHexString(random.nextLong())), sum, t0));
      out.add(CoderUtils.clone(TimeSeriesCoder.of(), b.build()));
    }
    return out;
  }

  @Setup
  public void setup() throws Exception {
    request = histograms();
    System.out.printf(
        "%n[bytes/histogram] 1.0: %.2f raw, %.2f snappy; 2.0: %.2f raw, %.2f snappy%n",
        RemoteWriteCodec.encodeV1(request).length / (double) HISTOGRAMS,
        RemoteWriteCodec.encodeV1Compressed(request).length / (double) HISTOGRAMS,
        RemoteWriteCodec.encodeV2(request).length / (double) HISTOGRAMS,
        RemoteWriteCodec.encodeV2Compressed(request).length / (double) HISTOGRAMS);
  }

  @Benchmark
  @OperationsPerInvocation(HISTOGRAMS)
  public byte[] v1() {
    return RemoteWriteCodec.encodeV1Compressed(request);
  }

  @Benchmark
  @OperationsPerInvocation(HISTOGRAMS)
  public byte[] v2() {
    return RemoteWriteCodec.encodeV2Compressed(request);
  }
}
