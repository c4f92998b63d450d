package io.prombeam.bench;

import io.prombeam.model.Labels;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.util.CoderUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xerial.snappy.Snappy;

/**
 * Encode + snappy of one 2000-sample remote-write request, per sample: prombeam's direct encoder
 * against the usual design (generated protobuf builders per series and sample, then serialize), on
 * the same data, in the same run; and remote-write 2.0 ({@link #prombeamV2}, symbol table) beside
 * 1.0, whose bytes per sample the setup prints for both.
 *
 * <p>prombeam is measured on two inputs: {@link #prombeam}, the series as the sink's writer holds
 * them (decoded by {@code TimeSeriesCoder} after the shuffle into shards, so each label set is in
 * its encoded form), and {@link #prombeamFreshStrings}, label sets built from strings that have
 * never been hashed or coded (rebuilt before every invocation), so each computes its encoded form,
 * char by char, inside the measured encode.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class EncodeBenchmark {
  public static final int SAMPLES = 2000;

  @Param({"1", "10"})
  public int samplesPerSeries;

  List<TimeSeries> request;
  List<TimeSeries> shuffled;
  byte[] encoded;

  @Setup
  public void setup() throws Exception {
    request = Workloads.request(SAMPLES, samplesPerSeries, 1);
    encoded = RemoteWriteCodec.encodeV1(request);
    shuffled = new ArrayList<>();
    for (TimeSeries ts : request) {
      shuffled.add(CoderUtils.clone(TimeSeriesCoder.of(), ts));
    }
    System.out.printf(
        "%n[bytes/sample, %d per series] 1.0: %.2f raw, %.2f snappy; 2.0: %.2f raw, %.2f snappy%n",
        samplesPerSeries,
        RemoteWriteCodec.encodeV1(request).length / (double) SAMPLES,
        RemoteWriteCodec.encodeV1Compressed(request).length / (double) SAMPLES,
        RemoteWriteCodec.encodeV2(request).length / (double) SAMPLES,
        RemoteWriteCodec.encodeV2Compressed(request).length / (double) SAMPLES);
  }

  /**
   * New label-set objects over the same strings before every invocation: nothing hashed, compared
   * or encoded yet. A state of its own, so its rebuilding stays out of the other benchmarks.
   */
  @State(Scope.Thread)
  public static class FreshStrings {
    List<TimeSeries> request;

    @Setup(Level.Invocation)
    public void rebuild(EncodeBenchmark source) {
      request = new ArrayList<>(source.request.size());
      for (TimeSeries ts : source.request) {
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < ts.labels().size(); i++) {
          b.add(ts.labels().name(i), ts.labels().value(i));
        }
        request.add(ts.withLabels(b.build()));
      }
    }
  }

  /** The protobuf half of {@link #prombeam}: where the time goes, part 1. */
  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] prombeamEncodeOnly() {
    return RemoteWriteCodec.encodeV1(shuffled);
  }

  /** The snappy half of {@link #prombeam} on the same bytes: where the time goes, part 2. */
  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] snappyOnly() {
    return RemoteWriteCodec.compress(encoded);
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] prombeam() {
    return RemoteWriteCodec.encodeV1Compressed(shuffled);
  }

  /** Remote-write 2.0 on the same series: symbol table, labels as references. */
  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] prombeamV2() {
    return RemoteWriteCodec.encodeV2Compressed(shuffled);
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] prombeamFreshStrings(FreshStrings fresh) {
    return RemoteWriteCodec.encodeV1Compressed(fresh.request);
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] baselineGeneratedBuilders() throws Exception {
    return Snappy.compress(baselineRequest(request).toByteArray());
  }

  /** How peer connectors build a request: generated message builders for everything. */
  public static PrometheusRemote.WriteRequest baselineRequest(List<TimeSeries> series) {
    PrometheusRemote.WriteRequest.Builder w = PrometheusRemote.WriteRequest.newBuilder();
    for (TimeSeries ts : series) {
      PrometheusRemote.TimeSeries.Builder t = PrometheusRemote.TimeSeries.newBuilder();
      Labels l = ts.labels();
      for (int i = 0; i < l.size(); i++) {
        t.addLabels(
            PrometheusRemote.Label.newBuilder().setName(l.name(i)).setValue(l.value(i)).build());
      }
      for (int i = 0; i < ts.sampleCount(); i++) {
        t.addSamples(
            PrometheusRemote.Sample.newBuilder()
                .setTimestamp(ts.timestamp(i))
                .setValue(ts.value(i))
                .build());
      }
      w.addTimeseries(t.build());
    }
    return w.build();
  }
}
