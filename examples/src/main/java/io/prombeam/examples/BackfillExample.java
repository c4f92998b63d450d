package io.prombeam.examples;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteResult;
import io.prombeam.sink.WriteFailure;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * A backfill as batch jobs really produce one: one element per sample, in no order (a permutation
 * of the sample numbers), some samples twice (exact repeats, as joins and re-runs make them) and,
 * with {@code --conflicts=N}, N samples a second time with another value. Written with the default
 * {@code PrometheusIO.remoteWrite()}: every sample arrives once and in order per series; only the
 * conflicting repeats come back as failures.
 *
 * <pre>
 * java -cp ... io.prombeam.examples.BackfillExample \
 *     --remoteWriteUrl=http://127.0.0.1:9090/api/v1/write --series=2000 --samplesPerSeries=50
 * </pre>
 *
 * <p>Sample {@code j} of series {@code s} is {@code s * 1000 + j} at {@code end - (samplesPerSeries
 * - j) * 15 s}, so a reader can check every value.
 */
public class BackfillExample {

  public interface Options extends DemoOptions {
    @Description("Series to backfill")
    @Default.Integer(2000)
    int getSeries();

    void setSeries(int value);

    @Description("Samples per series, 15 s apart")
    @Default.Integer(50)
    int getSamplesPerSeries();

    void setSamplesPerSeries(int value);

    @Description("Timestamp (epoch ms) just after the last sample; 0: now")
    @Default.Long(0)
    long getEndAtMillis();

    void setEndAtMillis(long value);

    @Description("Series 0..N-1 get their sample 1 a second time with another value (refused)")
    @Default.Integer(0)
    int getConflicts();

    void setConflicts(int value);
  }

  static final long STEP_MS = 15_000;

  /** Sample {@code j}'s timestamp. */
  public static long timestamp(long end, int samplesPerSeries, int j) {
    return end - (samplesPerSeries - j) * STEP_MS;
  }

  /** Sample {@code j} of series {@code s}'s value. */
  public static double value(int s, int j) {
    return s * 1000.0 + j;
  }

  /** Element k: a sample picked by a fixed permutation; every 10th also a second time. */
  static final class Samples extends DoFn<Long, TimeSeries> {
    private final String job;
    private final int series;
    private final int perSeries;
    private final long end;
    private final int conflicts;

    Samples(String job, int series, int perSeries, long end, int conflicts) {
      this.job = job;
      this.series = series;
      this.perSeries = perSeries;
      this.end = end;
      this.conflicts = conflicts;
    }

    private TimeSeries sample(int s, int j, double v) {
      return TimeSeries.builder("backfill_temperature_celsius")
          .label("job", job)
          .label("sensor", Integer.toString(s))
          .sample(timestamp(end, perSeries, j), v)
          .build();
    }

    @ProcessElement
    public void process(@Element Long k, OutputReceiver<TimeSeries> out) {
      long total = (long) series * perSeries;
      if (k >= total) {
        int s = (int) (k - total); // the conflicting repeats
        out.output(sample(s, 1, -value(s, 1)));
        return;
      }
      long p = Math.floorMod(k * permutation(total) + 17, total);
      int s = (int) (p % series);
      int j = (int) (p / series);
      out.output(sample(s, j, value(s, j)));
      if (k % 10 == 0) {
        out.output(sample(s, j, value(s, j)));
      }
    }
  }

  /** A multiplier coprime to {@code n}: {@code k -> k * m mod n} is then a permutation. */
  static long permutation(long n) {
    long m = 2_654_435_761L % n;
    while (gcd(m, n) != 1) {
      m++;
    }
    return m;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** Counts failures by rule, as {@code backfill/failed_<RULE>}. */
  static final class CountFailures extends DoFn<WriteFailure, Void> {
    @ProcessElement
    public void process(@Element WriteFailure f) {
      String why = f.rule() != null ? f.rule().name() : f.reason().name();
      Metrics.counter("backfill", "failed_" + why).inc(f.series().sampleCount());
    }
  }

  public static PipelineResult run(Options o) {
    long end = o.getEndAtMillis() > 0 ? o.getEndAtMillis() : System.currentTimeMillis();
    long total = (long) o.getSeries() * o.getSamplesPerSeries();
    Pipeline p = Pipeline.create(o);
    RemoteWriteResult result =
        p.apply("SampleNumbers", GenerateSequence.from(0).to(total + o.getConflicts()))
            .apply(
                "Samples",
                ParDo.of(
                    new Samples(
                        o.getJobLabel(),
                        o.getSeries(),
                        o.getSamplesPerSeries(),
                        end,
                        o.getConflicts())))
            .apply("RemoteWrite", PrometheusIO.remoteWrite().withUrl(o.getRemoteWriteUrl()));
    result.getFailures().apply("CountFailures", ParDo.of(new CountFailures()));
    return p.run();
  }

  public static void main(String[] args) {
    Options o = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    long t0 = System.nanoTime();
    PipelineResult result = run(o);
    PipelineResult.State state = result.waitUntilFinish();
    double secs = (System.nanoTime() - t0) / 1e9;
    long total = (long) o.getSeries() * o.getSamplesPerSeries();
    long sent = RemoteWriteExample.counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT);
    System.out.printf(
        "BackfillExample: %s in %.1f s: %d series x %d samples as %d single-sample elements"
            + " (unordered, with %d exact repeats and %d conflicting ones) -> %d samples sent"
            + " (%.0f/s), %d repeats dropped, %d failed (%s) to %s%n",
        state,
        secs,
        o.getSeries(),
        o.getSamplesPerSeries(),
        total + (total + 9) / 10 + o.getConflicts(),
        (total + 9) / 10,
        o.getConflicts(),
        sent,
        sent / secs,
        RemoteWriteExample.counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_DEDUPLICATED),
        RemoteWriteExample.counter(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED),
        failuresByRule(result),
        o.getRemoteWriteUrl());
    if (state != PipelineResult.State.DONE || sent != total) {
      System.exit(1);
    }
  }

  static String failuresByRule(PipelineResult result) {
    StringBuilder sb = new StringBuilder();
    for (org.apache.beam.sdk.metrics.MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(org.apache.beam.sdk.metrics.MetricsFilter.builder().build())
            .getCounters()) {
      if (c.getName().getNamespace().equals("backfill")) {
        sb.append(sb.length() == 0 ? "" : ", ")
            .append(c.getName().getName().substring("failed_".length()))
            .append('=')
            .append(c.getAttempted());
      }
    }
    return sb.length() == 0 ? "none" : sb.toString();
  }
}
