package io.prombeam.examples;

import io.prombeam.PrometheusIO;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.counters.PrombeamCounters;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.WriteFailure;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A streaming pipeline: every {@code --intervalMillis} each of {@code --sensors} sensors reports an
 * energy counter, written live by remote write, for {@code --durationSeconds}. Values are a
 * function of the tick time and the sensor, so a test can tell exactly what must have arrived:
 * {@code demo_sensor_energy_joules_total{sensor="s"} = (t / intervalMillis) * (s + 1)}.
 *
 * <pre>
 * java -cp ... io.prombeam.examples.LiveSensorsExample --runner=FlinkRunner --flinkMaster=HOST:PORT \
 *     --filesToStage=prombeam-examples-bundled.jar --streaming=true --checkpointingInterval=2000 \
 *     --remoteWriteUrl=http://127.0.0.1:9090/api/v1/write --durationSeconds=60
 * </pre>
 */
public class LiveSensorsExample {
  public interface Options extends DemoOptions, StreamingOptions {
    @Description("Number of sensors (series)")
    @Default.Integer(50)
    int getSensors();

    void setSensors(int value);

    @Description("Milliseconds between reports")
    @Default.Long(500)
    long getIntervalMillis();

    void setIntervalMillis(long value);

    @Description("How long the job reports, in seconds")
    @Default.Long(60)
    long getDurationSeconds();

    void setDurationSeconds(long value);

    @Description(
        "First report time in epoch ms (0: two intervals from now, aligned to the interval)")
    @Default.Long(0)
    long getStartAtMillis();

    void setStartAtMillis(long value);
  }

  public static final String METRIC = "demo_sensor_energy_joules_total";

  /** What sensor {@code sensor} reports at tick time {@code t}. */
  public static double energy(long t, long intervalMillis, int sensor) {
    return (double) (t / intervalMillis) * (sensor + 1);
  }

  static long startAt(Options o) {
    if (o.getStartAtMillis() > 0) {
      return o.getStartAtMillis();
    }
    long i = o.getIntervalMillis();
    return (System.currentTimeMillis() / i + 2) * i;
  }

  static final class Report extends DoFn<Instant, TimeSeries> {
    private final String job;
    private final int sensors;
    private final long intervalMillis;

    Report(String job, int sensors, long intervalMillis) {
      this.job = job;
      this.sensors = sensors;
      this.intervalMillis = intervalMillis;
    }

    @ProcessElement
    public void process(@Element Instant tick, OutputReceiver<TimeSeries> out) {
      long t = tick.getMillis();
      for (int s = 0; s < sensors; s++) {
        out.output(
            TimeSeries.builder(METRIC)
                .label("job", job)
                .label("sensor", Integer.toString(s))
                .sample(t, energy(t, intervalMillis, s))
                .type(MetricType.COUNTER)
                .help("Energy a sensor has measured.")
                .build());
      }
    }
  }

  public static PipelineResult run(Options o) {
    o.setStreaming(true);
    Instant start = new Instant(startAt(o));
    Instant stop = start.plus(Duration.standardSeconds(o.getDurationSeconds()));
    System.out.printf(
        "LiveSensorsExample: %d sensors every %d ms from %s to %s%n",
        o.getSensors(), o.getIntervalMillis(), start, stop);
    Pipeline p = Pipeline.create(o);
    p.apply(
            "Ticks",
            PeriodicImpulse.create()
                .startAt(start)
                .stopAt(stop)
                .withInterval(Duration.millis(o.getIntervalMillis())))
        .apply(
            "Report", ParDo.of(new Report(o.getJobLabel(), o.getSensors(), o.getIntervalMillis())))
        .apply(
            "RemoteWrite",
            PrometheusIO.remoteWrite()
                .withUrl(o.getRemoteWriteUrl())
                .withBatchSendDeadline(Duration.millis(500)))
        .getFailures()
        .apply(
            "LogFailures",
            MapElements.into(TypeDescriptor.of(String.class))
                .via(
                    (WriteFailure f) -> {
                      System.err.println("not delivered: " + f);
                      return f.toString();
                    }));
    return p.run();
  }

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    long t0 = System.nanoTime();
    PipelineResult result = run(options);
    PipelineResult.State state = result.waitUntilFinish();
    long sent = PrombeamCounters.get(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_SENT);
    long failed = PrombeamCounters.get(result, PrombeamCounter.REMOTE_WRITE_SAMPLES_FAILED);
    System.out.printf(
        "LiveSensorsExample: %s in %.1f s: %d samples sent in %d requests, %d retries, %d failed,"
            + " to %s%n",
        state,
        (System.nanoTime() - t0) / 1e9,
        sent,
        PrombeamCounters.get(result, PrombeamCounter.REMOTE_WRITE_REQUESTS),
        PrombeamCounters.get(result, PrombeamCounter.REMOTE_WRITE_RETRIES),
        failed,
        options.getRemoteWriteUrl());
    if (state != PipelineResult.State.DONE || failed > 0) {
      System.exit(1);
    }
  }
}
