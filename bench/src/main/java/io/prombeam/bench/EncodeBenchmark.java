package io.prombeam.bench;

import io.prombeam.model.Labels;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * against the usual design (generated protobuf builders per series and sample, then serialize),
 * on the same data, in the same run.
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
  byte[] encoded;

  @Setup
  public void setup() {
    request = Workloads.request(SAMPLES, samplesPerSeries, 1);
    encoded = RemoteWriteCodec.encodeV1(request);
  }

  /** The protobuf half of {@link #prombeam}: where the time goes, part 1. */
  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public byte[] prombeamEncodeOnly() {
    return RemoteWriteCodec.encodeV1(request);
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
    return RemoteWriteCodec.encodeV1Compressed(request);
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
        t.addLabels(PrometheusRemote.Label.newBuilder().setName(l.name(i)).setValue(l.value(i)).build());
      }
      for (int i = 0; i < ts.sampleCount(); i++) {
        t.addSamples(PrometheusRemote.Sample.newBuilder().setTimestamp(ts.timestamp(i)).setValue(ts.value(i)).build());
      }
      w.addTimeseries(t.build());
    }
    return w.build();
  }
}
