package io.prombeam.source;

import com.google.auto.value.AutoValue;
import io.prombeam.counters.PrombeamCounter;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.HttpTransport;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.RetryingHttpSender;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes exporters like Prometheus does, as an unbounded source: every interval (Beam's {@link
 * PeriodicImpulse}, so the schedule is checkpointed and resumes after a restart), each target's
 * metrics are fetched — OpenMetrics 1.0 or text 0.0.4, negotiated with {@code Accept} — and emitted
 * with the scrape time as sample and event time (exposed timestamps are honoured), the family's
 * type and help, and the target's {@code job} and {@code instance} labels (a scraped series' own
 * job/instance become {@code exported_job}/{@code exported_instance}, as with Prometheus' {@code
 * honor_labels: false}). Like Prometheus it adds {@code up} (1, or 0 when the scrape failed) and
 * {@code scrape_duration_seconds} per target and scrape. The watermark advances with the schedule.
 * Create with {@code PrometheusIO.scrape()}.
 */
@AutoValue
public abstract class Scrape extends PTransform<PBegin, PCollection<TimeSeries>>
    implements HttpTransport<Scrape> {
  private static final long serialVersionUID = 1L;

  static final String ACCEPT =
      "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  /** Timeout of one scrape, as Prometheus' {@code scrape_timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.standardSeconds(10);

  /** What is scraped. */
  public abstract List<ScrapeTarget> targets();

  /** Time between two scrapes of a target. */
  public abstract Duration interval();

  /**
   * Authentication, headers, TLS and the scrape timeout (default 10 s) for every target; its URL is
   * not used: targets come from {@link #withTargets}.
   */
  @Override
  public abstract HttpEndpoint endpoint();

  /** Retries within one scrape; none by default ({@link RetryPolicy#forScrapes()}). */
  @Override
  public abstract RetryPolicy retryPolicy();

  /** Bytes of a scraped body at most; 0: no limit. See {@link #withBodySizeLimit}. */
  public abstract long bodySizeLimit();

  /** Samples of one scrape at most; 0: no limit. See {@link #withSampleLimit}. */
  public abstract int sampleLimit();

  /** When the first scrape happens; when the pipeline starts if null. */
  public abstract @Nullable Instant startAt();

  /** When scraping stops and the source ends; never when null. */
  public abstract @Nullable Instant stopAt();

  abstract Builder toBuilder();

  /** A scrape with the defaults; prefer {@code PrometheusIO.scrape()}. */
  public static Scrape create() {
    return new AutoValue_Scrape.Builder()
        .setTargets(List.of())
        .setInterval(Duration.standardSeconds(15))
        .setEndpoint(HttpEndpoint.create().withTimeout(DEFAULT_TIMEOUT))
        .setRetryPolicy(RetryPolicy.forScrapes())
        .setBodySizeLimit(0)
        .setSampleLimit(0)
        .build();
  }

  @Override
  public Scrape withEndpoint(HttpEndpoint endpoint) {
    return toBuilder().setEndpoint(endpoint).build();
  }

  @Override
  public Scrape withRetryPolicy(RetryPolicy policy) {
    return toBuilder().setRetryPolicy(policy).build();
  }

  /** Targets by URL, all with job {@code job}. */
  public Scrape withTargets(String job, String... urls) {
    List<ScrapeTarget> t = new ArrayList<>(targets());
    for (String u : urls) {
      t.add(ScrapeTarget.of(u, job));
    }
    return toBuilder().setTargets(List.copyOf(t)).build();
  }

  /** The targets, each with its own job and instance labels. */
  public Scrape withTargets(List<ScrapeTarget> targets) {
    return toBuilder().setTargets(List.copyOf(targets)).build();
  }

  /** Time between scrapes (default 15 s). */
  public Scrape withInterval(Duration d) {
    return toBuilder().setInterval(d).build();
  }

  /**
   * A scrape whose body is larger fails ({@code up} 0, nothing of it emitted), as Prometheus'
   * {@code body_size_limit}: no more than this is read. Default 0: no limit.
   */
  public Scrape withBodySizeLimit(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bodySizeLimit must not be negative, got " + bytes);
    }
    return toBuilder().setBodySizeLimit(bytes).build();
  }

  /**
   * A scrape with more samples fails ({@code up} 0, nothing of it emitted), as Prometheus' {@code
   * sample_limit}. Default 0: no limit.
   */
  public Scrape withSampleLimit(int samples) {
    if (samples < 0) {
      throw new IllegalArgumentException("sampleLimit must not be negative, got " + samples);
    }
    return toBuilder().setSampleLimit(samples).build();
  }

  /** First scrape at this time (default: when the pipeline starts). */
  public Scrape withStartAt(Instant t) {
    return toBuilder().setStartAt(t).build();
  }

  /** Stop scraping at this time, ending the source (default: never). */
  public Scrape withStopAt(Instant t) {
    return toBuilder().setStopAt(t).build();
  }

  @Override
  public PCollection<TimeSeries> expand(PBegin input) {
    if (targets().isEmpty()) {
      throw new IllegalArgumentException(getName() + ": withTargets(...) is required");
    }
    if (endpoint().url() != null) {
      throw new IllegalArgumentException(
          getName()
              + ": a scrape takes its URLs from withTargets(...), not withUrl/withEndpoint's URL");
    }
    Duration timeout = endpoint().timeout();
    if (timeout.isLongerThan(interval())) {
      throw new IllegalArgumentException(
          getName() + ": timeout " + timeout + " is longer than interval " + interval());
    }
    retryPolicy().validate(getName());
    PeriodicImpulse ticks = PeriodicImpulse.create().withInterval(interval());
    if (startAt() != null) {
      ticks = ticks.startAt(startAt());
    }
    if (stopAt() != null) {
      ticks = ticks.stopAt(stopAt());
    }
    return input
        .apply("Schedule", ticks)
        .apply(
            "Scrape",
            ParDo.of(
                new ScrapeFn(targets(), endpoint(), retryPolicy(), bodySizeLimit(), sampleLimit())))
        .setCoder(TimeSeriesCoder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder b) {
    super.populateDisplayData(b);
    b.add(DisplayData.item("targets", targets().toString()).withLabel("Targets"))
        .add(DisplayData.item("interval", interval()).withLabel("Scrape interval"))
        .add(
            DisplayData.item("bodySizeLimit", bodySizeLimit())
                .withLabel("Body size limit (0: none)"))
        .add(DisplayData.item("sampleLimit", sampleLimit()).withLabel("Sample limit (0: none)"));
    endpoint().populateDisplayData(b);
    retryPolicy().populateDisplayData(b);
  }

  static final class ScrapeFn extends DoFn<Instant, TimeSeries> {
    private static final Logger LOG = LoggerFactory.getLogger(ScrapeFn.class);
    private final List<ScrapeTarget> targets;
    private final HttpEndpoint endpoint;
    private final RetryPolicy retryPolicy;
    private final long bodySizeLimit;
    private final int sampleLimit;
    private final Counter scrapes = PrombeamCounter.SCRAPES.counter();
    private final Counter failed = PrombeamCounter.SCRAPES_FAILED.counter();
    private final Counter samples = PrombeamCounter.SCRAPE_SAMPLES.counter();
    private transient RetryingHttpSender sender;

    ScrapeFn(
        List<ScrapeTarget> targets,
        HttpEndpoint endpoint,
        RetryPolicy retryPolicy,
        long bodySizeLimit,
        int sampleLimit) {
      this.targets = targets;
      this.endpoint = endpoint;
      this.retryPolicy = retryPolicy;
      this.bodySizeLimit = bodySizeLimit;
      this.sampleLimit = sampleLimit;
    }

    @Setup
    public void setup() {
      sender = new RetryingHttpSender(endpoint, retryPolicy).withMaxBodyBytes(bodySizeLimit);
    }

    @ProcessElement
    public void process(@Element Instant tick, OutputReceiver<TimeSeries> out)
        throws InterruptedException {
      long ts = tick.getMillis();
      for (ScrapeTarget t : targets) {
        long t0 = System.nanoTime();
        List<TimeSeries> got = null;
        String error = null;
        SendOutcome r =
            sender.send(
                () ->
                    endpoint
                        .newRequest(HttpUrl.get(t.url()))
                        .header("Accept", ACCEPT)
                        .get()
                        .build(),
                (status, reason, delay) -> {},
                true);
        if (!r.success() || r.status() != 200) {
          error = r.status() == 0 ? r.message() : "HTTP " + r.status() + ": " + r.message();
        } else {
          try {
            got = ExpositionParser.parse(r.body(), r.contentType(), ts);
            if (sampleLimit > 0 && got.size() > sampleLimit) {
              error = got.size() + " samples, over the sample limit of " + sampleLimit;
              got = null;
            }
          } catch (IllegalArgumentException e) {
            error = e.getMessage();
          }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        scrapes.inc();
        if (got != null) {
          for (TimeSeries s : got) {
            out.output(s.withLabels(targetLabels(s.labels(), t)));
          }
          samples.inc(got.size());
        } else {
          failed.inc();
          LOG.warn("scrape of {} failed: {}", t, error);
        }
        out.output(
            synthetic("up", t, ts, got != null ? 1 : 0, "1 if the target was scraped, 0 if not."));
        out.output(synthetic("scrape_duration_seconds", t, ts, seconds, "Duration of the scrape."));
      }
    }

    private static Labels targetLabels(Labels scraped, ScrapeTarget t) {
      Labels.Builder b = Labels.builder();
      for (int i = 0; i < scraped.size(); i++) {
        String n = scraped.name(i);
        b.add(n.equals("job") || n.equals("instance") ? "exported_" + n : n, scraped.value(i));
      }
      return b.add("job", t.job()).add("instance", t.instance()).build();
    }

    private static TimeSeries synthetic(
        String name, ScrapeTarget t, long ts, double v, String help) {
      return TimeSeries.builder(name)
          .label("job", t.job())
          .label("instance", t.instance())
          .sample(ts, v)
          .metadata(MetricMetadata.of(MetricType.GAUGE, help))
          .build();
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setTargets(List<ScrapeTarget> t);

    abstract Builder setInterval(Duration d);

    abstract Builder setEndpoint(HttpEndpoint e);

    abstract Builder setRetryPolicy(RetryPolicy p);

    abstract Builder setBodySizeLimit(long bytes);

    abstract Builder setSampleLimit(int samples);

    abstract Builder setStartAt(@Nullable Instant t);

    abstract Builder setStopAt(@Nullable Instant t);

    abstract Scrape build();
  }
}
