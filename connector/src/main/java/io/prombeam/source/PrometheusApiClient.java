package io.prombeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prombeam.http.HttpEndpoint;
import io.prombeam.http.RetryPolicy;
import io.prombeam.http.RetryingHttpSender;
import io.prombeam.http.SendOutcome;
import io.prombeam.model.Labels;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.apache.beam.sdk.annotations.Internal;

/**
 * Reads from Prometheus' HTTP API: query_range and instant queries (JSON) and remote read (snappy
 * protobuf, through the same codec as the sinks). 5xx and timeouts are retried by the shared
 * sender; a refused query (400, 422) throws with the server's message.
 */
@Internal
public final class PrometheusApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");

  private final HttpEndpoint endpoint;
  private final RetryingHttpSender sender;
  private volatile String lastReadResponseType = "";

  /**
   * A client of the Prometheus HTTP API at {@code endpoint}, retrying under {@code retryPolicy}.
   */
  public PrometheusApiClient(HttpEndpoint endpoint, RetryPolicy retryPolicy) {
    this.endpoint = endpoint;
    this.sender = new RetryingHttpSender(endpoint, retryPolicy);
  }

  /** {@code /api/v1/query_range} over [start, end] (ms) at {@code step} (ms). */
  public List<TimeSeries> queryRange(String promql, long start, long end, long step)
      throws IOException, InterruptedException {
    FormBody form =
        new FormBody.Builder()
            .add("query", promql)
            .add("start", seconds(start))
            .add("end", seconds(end))
            .add("step", seconds(step))
            .build();
    return parse(post("api/v1/query_range", form, promql), promql);
  }

  /** {@code /api/v1/query} at {@code time} (ms). */
  public List<TimeSeries> query(String promql, long time) throws IOException, InterruptedException {
    FormBody form = new FormBody.Builder().add("query", promql).add("time", seconds(time)).build();
    return parse(post("api/v1/query", form, promql), promql);
  }

  /** {@code /api/v1/read}, SAMPLES response: the raw samples of matching series in [start, end]. */
  public List<TimeSeries> remoteRead(
      List<PrometheusRemote.LabelMatcher> matchers, long start, long end)
      throws IOException, InterruptedException {
    return remoteRead(matchers, start, end, false);
  }

  /**
   * {@code /api/v1/read}; with {@code streamed} asks for STREAMED_XOR_CHUNKS first (falling back to
   * SAMPLES if the server answers with those), decoding the XOR chunks ourselves.
   */
  public List<TimeSeries> remoteRead(
      List<PrometheusRemote.LabelMatcher> matchers, long start, long end, boolean streamed)
      throws IOException, InterruptedException {
    PrometheusRemote.ReadRequest req =
        PrometheusRemote.ReadRequest.newBuilder()
            .addQueries(
                PrometheusRemote.Query.newBuilder()
                    .setStartTimestampMs(start)
                    .setEndTimestampMs(end)
                    .addAllMatchers(matchers))
            .addAllAcceptedResponseTypes(
                streamed
                    ? List.of(
                        PrometheusRemote.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS,
                        PrometheusRemote.ReadRequest.ResponseType.SAMPLES)
                    : List.of(PrometheusRemote.ReadRequest.ResponseType.SAMPLES))
            .build();
    RequestBody body = RequestBody.create(RemoteWriteCodec.compress(req.toByteArray()), PROTOBUF);
    HttpUrl url = api("api/v1/read");
    SendOutcome o =
        sender.send(
            () ->
                endpoint
                    .newRequest(url)
                    .post(body)
                    .header("Content-Encoding", "snappy")
                    .header("Accept-Encoding", "snappy")
                    .header("X-Prometheus-Remote-Read-Version", "0.1.0")
                    .build(),
            (s, r, d) -> {},
            true);
    if (!o.success()) {
      throw new IOException("remote read from " + url.redact() + " failed: " + o);
    }
    if (o.contentType().startsWith("application/x-streamed-protobuf")) {
      lastReadResponseType = "STREAMED_XOR_CHUNKS";
      return XorChunks.readStream(new java.io.ByteArrayInputStream(o.body()), start, end);
    }
    lastReadResponseType = "SAMPLES";
    PrometheusRemote.ReadResponse resp =
        PrometheusRemote.ReadResponse.parseFrom(
            RemoteWriteCodec.decompress(o.body(), Integer.MAX_VALUE - 8));
    List<TimeSeries> out = new ArrayList<>();
    for (PrometheusRemote.QueryResult r : resp.getResultsList()) {
      for (PrometheusRemote.TimeSeries ts : r.getTimeseriesList()) {
        // Prometheus before 2.4x sends a native-histogram series with neither samples nor
        // histograms here: nothing to emit (streamed chunks carry its histograms)
        if (ts.getSamplesCount() > 0 || ts.getHistogramsCount() > 0) {
          out.add(RemoteWriteCodec.fromProto(ts, Collections.emptyMap()));
        }
      }
    }
    return out;
  }

  private byte[] post(String path, FormBody form, String promql)
      throws IOException, InterruptedException {
    HttpUrl url = api(path);
    SendOutcome o =
        sender.send(() -> endpoint.newRequest(url).post(form).build(), (s, r, d) -> {}, true);
    if (!o.success()) {
      if (o.status() == 400 || o.status() == 422) {
        throw new IllegalArgumentException(
            "Prometheus refused the query "
                + promql
                + ": HTTP "
                + o.status()
                + " "
                + errorText(o.message()));
      }
      throw new IOException("query " + promql + " to " + url.redact() + " failed: " + o);
    }
    return o.body();
  }

  /** The response type of the last remote read ("SAMPLES" or "STREAMED_XOR_CHUNKS"). */
  public String lastReadResponseType() {
    return lastReadResponseType;
  }

  /** The API path under the configured base URL (which may carry a path prefix). */
  private HttpUrl api(String path) {
    HttpUrl base = HttpUrl.get(endpoint.url());
    HttpUrl.Builder b = base.newBuilder();
    int last = base.pathSize() - 1;
    if (last >= 0 && base.pathSegments().get(last).isEmpty()) {
      b.removePathSegment(last);
    }
    return b.addPathSegments(path).build();
  }

  private static String errorText(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n.path("errorType").asText() + ": " + n.path("error").asText();
    } catch (IOException e) {
      return body;
    }
  }

  static List<TimeSeries> parse(byte[] body, String promql) throws IOException {
    JsonNode root = JSON.readTree(body);
    if (!"success".equals(root.path("status").asText())) {
      throw new IOException("query " + promql + ": " + root.path("error").asText());
    }
    JsonNode data = root.get("data");
    String type = data.path("resultType").asText();
    List<TimeSeries> out = new ArrayList<>();
    switch (type) {
      case "matrix":
      case "vector":
        for (JsonNode r : data.get("result")) {
          if (r.has("histograms") || r.has("histogram")) {
            // the query API gives a native histogram as bucket boundaries, not its schema and
            // bucket indexes: refused by name rather than emitted without its histograms
            throw new IOException(
                "query "
                    + promql
                    + " returned native histograms for "
                    + labels(r.get("metric"))
                    + ", which read() does not carry: query histogram_count(), histogram_sum()"
                    + " or histogram_quantile() of it, or read it with remoteRead()");
          }
          TimeSeries.Builder b = TimeSeries.builder(labels(r.get("metric")));
          if (r.has("values")) {
            for (JsonNode v : r.get("values")) {
              b.sample(millis(v.get(0)), value(v.get(1).asText()));
            }
          }
          if (r.has("value")) {
            b.sample(millis(r.get("value").get(0)), value(r.get("value").get(1).asText()));
          }
          out.add(b.build());
        }
        return out;
      case "scalar":
        JsonNode v = data.get("result");
        out.add(
            TimeSeries.builder(Labels.EMPTY)
                .sample(millis(v.get(0)), value(v.get(1).asText()))
                .build());
        return out;
      default:
        throw new IOException("query " + promql + ": unsupported result type " + type);
    }
  }

  private static Labels labels(JsonNode metric) {
    Labels.Builder b = Labels.builder();
    Iterator<Map.Entry<String, JsonNode>> it = metric.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      b.add(e.getKey(), e.getValue().asText());
    }
    return b.build();
  }

  static String seconds(long millis) {
    return BigDecimal.valueOf(millis).movePointLeft(3).toPlainString();
  }

  static long millis(JsonNode seconds) {
    return new BigDecimal(seconds.asText()).movePointRight(3).longValue();
  }

  static double value(String s) {
    switch (s) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        return Double.parseDouble(s);
    }
  }
}
