package io.prombeam.bench;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.WriteSummary;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * End-to-end throughput: N series x M samples generated in the pipeline, through {@code
 * remoteWrite()}, into a {@link CountingReceiver} in a separate process on loopback. Prints one
 * markdown table row per run: runner, shards, batch, samples, seconds, samples/s over the whole run
 * and while sending, wire bytes per sample, request latency p50/p99.
 *
 * <p>Usage: {@code EndToEndBench <direct|flink> <series> <samplesPerSeries> <shards[,shards]>
 * <batch[,batch]>}
 */
public final class EndToEndBench {
  static final ConcurrentLinkedQueue<Long> LATENCIES = new ConcurrentLinkedQueue<>();

  private EndToEndBench() {}

  /** One run's figures. */
  public static final class Result {
    public final String runner;
    public final int shards;
    public final int batch;
    public final long samples;
    public final long received;
    public final double seconds;

    /**
     * Samples per second between the receiver's first and last request: the run minus pipeline
     * start-up.
     */
    public final double sendingRate;

    public final double bytesPerSample;
    public final long p50;
    public final long p99;

    Result(
        String runner,
        int shards,
        int batch,
        long samples,
        long received,
        double seconds,
        double sendingRate,
        double bytesPerSample,
        long p50,
        long p99) {
      this.runner = runner;
      this.shards = shards;
      this.batch = batch;
      this.samples = samples;
      this.received = received;
      this.seconds = seconds;
      this.sendingRate = sendingRate;
      this.bytesPerSample = bytesPerSample;
      this.p50 = p50;
      this.p99 = p99;
    }

    public String row() {
      return String.format(
          Locale.ROOT,
          "| %s | %d | %d | %,d | %.2f | %,.0f | %,.0f | %.2f | %d | %d |",
          runner,
          shards,
          batch,
          samples,
          seconds,
          samples / seconds,
          sendingRate,
          bytesPerSample,
          p50,
          p99);
    }
  }

  public static final String HEADER =
      "| runner | shards | max samples/send | samples | seconds (whole run) | samples/s (whole run)"
          + " | samples/s (while sending) | wire bytes/sample | p50 ms | p99 ms |\n"
          + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

  /** Makes series {@code id}: 10 labels, {@code samples} samples. */
  static final class MakeSeries extends DoFn<Long, TimeSeries> {
    private final int samples;

    MakeSeries(int samples) {
      this.samples = samples;
    }

    @ProcessElement
    public void process(@Element Long id, OutputReceiver<TimeSeries> out) {
      out.output(Workloads.request(samples, samples, id).get(0));
    }
  }

  static final class RecordLatency extends DoFn<WriteSummary, Void> {
    @ProcessElement
    public void process(@Element WriteSummary s) {
      LATENCIES.add(s.latencyMillis());
    }
  }

  /**
   * Options for a bench run: embedded Flink with parallelism 2, or DirectRunner without its checks.
   */
  static PipelineOptions options(String runner) {
    List<String> args = new ArrayList<>();
    if (runner.equals("flink")) {
      args.add("--runner=FlinkRunner");
      args.add("--flinkMaster=[local]");
      args.add("--parallelism=2");
    } else {
      args.add("--runner=DirectRunner");
      args.add("--targetParallelism=2");
      args.add("--enforceImmutability=false");
      args.add("--enforceEncodability=false");
    }
    // extra runner flags for an experiment, e.g. -Dbench.options=--disableMetrics=true
    for (String extra : System.getProperty("bench.options", "").split(" ")) {
      if (!extra.isBlank()) {
        args.add(extra);
      }
    }
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
  }

  public static Result run(
      String runner, String receiverUrl, long series, int samplesPerSeries, int shards, int batch)
      throws Exception {
    LATENCIES.clear();
    PipelineOptions options = options(runner);
    reset(receiverUrl);
    Pipeline p = Pipeline.create(options);
    p.apply(GenerateSequence.from(0).to(series))
        .apply(ParDo.of(new MakeSeries(samplesPerSeries)))
        .apply(
            PrometheusIO.remoteWrite()
                .withUrl(receiverUrl + "/api/v1/write")
                .withShards(shards)
                .withMaxSamplesPerSend(batch))
        .getSuccesses()
        .apply(ParDo.of(new RecordLatency()));
    long t0 = System.nanoTime();
    PipelineResult r = p.run();
    r.waitUntilFinish();
    double secs = (System.nanoTime() - t0) / 1e9;
    long[] after = stats(receiverUrl);
    long received = after[1];
    long bytes = after[2];
    double sendingSecs = Math.max(1, after[4] - after[3]) / 1e3;
    List<Long> lat = new ArrayList<>(LATENCIES);
    Collections.sort(lat);
    long p50 = lat.isEmpty() ? 0 : lat.get(lat.size() / 2);
    long p99 =
        lat.isEmpty()
            ? 0
            : lat.get(Math.min(lat.size() - 1, (int) Math.ceil(lat.size() * 0.99) - 1));
    long sent = PrombeamCounters.get(r, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT);
    if (sent != series * samplesPerSeries || received != sent) {
      throw new IllegalStateException(
          "lost samples: generated "
              + series * samplesPerSeries
              + ", sent "
              + sent
              + ", received "
              + received);
    }
    return new Result(
        runner,
        shards,
        batch,
        sent,
        received,
        secs,
        received / sendingSecs,
        (double) bytes / received,
        p50,
        p99);
  }

  /** Starts a CountingReceiver process on a free loopback port; returns its base URL. */
  public static Process startReceiver(int port) throws IOException, InterruptedException {
    return startReceiver(port, 0);
  }

  /** A receiver that answers each write after {@code delayMillis} (0: at once). */
  public static Process startReceiver(int port, long delayMillis)
      throws IOException, InterruptedException {
    return startReceiver(port, delayMillis, false);
  }

  /** As {@link #startReceiver(int, long)}; with {@code track}, it also checks order and latency. */
  public static Process startReceiver(int port, long delayMillis, boolean track)
      throws IOException, InterruptedException {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    // TCP_NODELAY: without it the JDK server's small 204 answers wait for delayed ACKs (~40 ms)
    Process proc =
        new ProcessBuilder(
                java,
                "-Xmx1g",
                "-Dsun.net.httpserver.nodelay=true",
                "-cp",
                System.getProperty("java.class.path"),
                CountingReceiver.class.getName(),
                Integer.toString(port),
                Long.toString(delayMillis),
                track ? "track" : "count")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String url = "http://127.0.0.1:" + port;
    for (int i = 0; i < 200; i++) {
      try {
        stats(url);
        return proc;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    proc.destroyForcibly();
    throw new IOException("CountingReceiver did not start on port " + port);
  }

  static void reset(String url) throws IOException, InterruptedException {
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url + "/reset")).build(),
            HttpResponse.BodyHandlers.discarding());
  }

  static long[] stats(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
    String[] p = r.body().trim().split(" ");
    long[] out = new long[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = Long.parseLong(p[i]);
    }
    return out;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public static void main(String[] args) throws Exception {
    String runner = args[0];
    long series = Long.parseLong(args[1]);
    int perSeries = Integer.parseInt(args[2]);
    String[] shardList = args[3].split(",");
    String[] batchList = args[4].split(",");
    int port = freePort();
    Process receiver = startReceiver(port);
    try {
      System.out.println(HEADER);
      // one untimed warm-up run so the JIT has seen the code
      run(runner, "http://127.0.0.1:" + port, Math.min(series, 20_000), perSeries, 2, 2000);
      for (String s : shardList) {
        for (String b : batchList) {
          System.out.println(
              run(
                      runner,
                      "http://127.0.0.1:" + port,
                      series,
                      perSeries,
                      Integer.parseInt(s),
                      Integer.parseInt(b))
                  .row());
        }
      }
    } finally {
      receiver.destroy();
    }
  }
}
