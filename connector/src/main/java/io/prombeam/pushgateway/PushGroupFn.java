package io.prombeam.pushgateway;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricType;
import io.prombeam.model.SeriesRule;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import io.prombeam.sink.FailureEmitter;
import io.prombeam.sink.FailurePolicy;
import io.prombeam.sink.FailureReason;
import io.prombeam.sink.WriteFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes one group's series of one pane: the latest sample of each series, families made consistent
 * (a series whose type contradicts its family's is a failure, not sent), no timestamps.
 */
final class PushGroupFn extends DoFn<KV<List<String>, Iterable<TimeSeries>>, PushSummary> {
  private static final Logger LOG = LoggerFactory.getLogger(PushGroupFn.class);

  private final HttpEndpoint endpoint;
  private final RetryPolicy retryPolicy;
  private final PushMethod method;
  private final FailureEmitter emitter;
  private final TupleTag<PushSummary> successTag;
  private final TupleTag<WriteFailure> failureTag;
  private final String transformName;

  private final Counter pushes = PrombeamCounter.PUSHGATEWAY_PUSHES.counter();
  private final Counter pushesFailed = PrombeamCounter.PUSHGATEWAY_PUSHES_FAILED.counter();
  private final Counter seriesPushed = PrombeamCounter.PUSHGATEWAY_SERIES_PUSHED.counter();
  private final Counter samplesFailed = PrombeamCounter.PUSHGATEWAY_SAMPLES_FAILED.counter();
  private final Counter samplesSuperseded =
      PrombeamCounter.PUSHGATEWAY_SAMPLES_SUPERSEDED.counter();
  private final Counter seriesEnded =
      PrombeamCounter.PUSHGATEWAY_SERIES_ENDED_BY_STALE_MARKER.counter();

  private transient PushgatewayClient client;

  PushGroupFn(
      HttpEndpoint endpoint,
      RetryPolicy retryPolicy,
      PushMethod method,
      FailurePolicy failurePolicy,
      TupleTag<PushSummary> successTag,
      TupleTag<WriteFailure> failureTag,
      String transformName) {
    this.endpoint = endpoint;
    this.retryPolicy = retryPolicy;
    this.method = method;
    this.emitter = new FailureEmitter(failurePolicy, transformName);
    this.successTag = successTag;
    this.failureTag = failureTag;
    this.transformName = transformName;
  }

  @Setup
  public void setup() {
    client = new PushgatewayClient(endpoint, retryPolicy);
  }

  /** The group key as sent through the shuffle: job, then label/value pairs. */
  static List<String> key(String job, Map<String, String> grouping) {
    List<String> k = new ArrayList<>(1 + 2 * grouping.size());
    k.add(job);
    grouping.forEach(
        (n, v) -> {
          k.add(n);
          k.add(v);
        });
    return k;
  }

  @ProcessElement
  public void process(
      @Element KV<List<String>, Iterable<TimeSeries>> group, MultiOutputReceiver out)
      throws InterruptedException {
    List<String> key = group.getKey();
    String job = key.get(0);
    Map<String, String> grouping = new LinkedHashMap<>();
    for (int i = 1; i + 1 < key.size(); i += 2) {
      grouping.put(key.get(i), key.get(i + 1));
    }

    // Latest sample per series; earlier ones of the pane are superseded (a gauge's last value).
    Map<Labels, TimeSeries> latest = new LinkedHashMap<>();
    for (TimeSeries ts : group.getValue()) {
      TimeSeries last = ts.slice(ts.sampleCount() - 1, ts.sampleCount());
      samplesSuperseded.inc(ts.sampleCount() - 1);
      TimeSeries prev = latest.get(ts.labels());
      if (prev == null || prev.timestamp(0) <= last.timestamp(0)) {
        if (prev != null) {
          samplesSuperseded.inc();
        }
        latest.put(ts.labels(), last);
      } else {
        samplesSuperseded.inc();
      }
    }

    List<TimeSeries> toSend = new ArrayList<>();
    for (TimeSeries ts : latest.values()) {
      if (StaleMarker.isStale(ts.value(0))) {
        seriesEnded.inc(); // ended: left out of the push (PUT then removes it from the group)
      } else {
        toSend.add(ts);
      }
    }
    Map<String, TextFormat.Family> families = TextFormat.families(List.of());
    for (TimeSeries ts : toSend) {
      MetricType type = ts.metadata() == null ? MetricType.UNKNOWN : ts.metadata().type();
      String familyName = io.prombeam.model.MetricFamilies.familyName(ts.metricName(), type);
      TextFormat.Family f = families.get(familyName);
      if (f == null) {
        families.putAll(TextFormat.families(List.of(ts)));
      } else if (f.type() != type) {
        fail(
            new WriteFailure(
                ts,
                FailureReason.INVALID_SERIES,
                SeriesRule.FAMILY_TYPE_CONFLICT,
                0,
                SeriesRule.FAMILY_TYPE_CONFLICT.name()
                    + ": series "
                    + ts.labels()
                    + " is "
                    + type.textName()
                    + " but family "
                    + familyName
                    + " is "
                    + f.type().textName(),
                0),
            out);
      } else {
        f.series.add(ts);
      }
    }
    List<TimeSeries> sent = new ArrayList<>();
    families.values().forEach(f -> sent.addAll(f.series));
    String body = TextFormat.write(families.values());
    String path = GroupingKey.url(HttpUrl.get("http://x/"), job, grouping).encodedPath();

    SendOutcome outcome = client.push(method, job, grouping, body);
    pushes.inc();
    if (outcome.success()) {
      seriesPushed.inc(sent.size());
      out.get(successTag)
          .output(
              new PushSummary(
                  path,
                  sent.size(),
                  body.getBytes(StandardCharsets.UTF_8).length,
                  outcome.status(),
                  outcome.attempts()));
      return;
    }
    pushesFailed.inc();
    LOG.error(
        "{}: push of {} series to {}{} failed: {}",
        transformName,
        sent.size(),
        endpoint.redactedUrl(),
        path,
        outcome);
    for (TimeSeries ts : sent) {
      fail(FailureEmitter.notDelivered(ts, outcome), out);
    }
  }

  private void fail(WriteFailure f, MultiOutputReceiver out) {
    samplesFailed.inc(f.series().sampleCount());
    emitter.emit(f, out.get(failureTag)::output);
  }
}
