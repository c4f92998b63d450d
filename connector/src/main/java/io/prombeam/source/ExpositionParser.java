package io.prombeam.source;

import io.prombeam.model.Exemplar;
import io.prombeam.model.Labels;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text into series with
 * their family's type, help and unit, and OpenMetrics exemplars ({@code # {trace_id="..."} value
 * [timestamp]}) on the sample they follow. Exposed timestamps are kept (milliseconds in 0.0.4,
 * seconds in OpenMetrics); samples, and exemplars, without one get the sample's.
 */
final class ExpositionParser {
  private static final String[] SUFFIXES = {
    "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"
  };

  private final boolean openMetrics;
  private final String text;
  private final Map<String, MetricType> types = new HashMap<>();
  private final Map<String, String> helps = new HashMap<>();
  private final Map<String, String> units = new HashMap<>();

  private ExpositionParser(String text, boolean openMetrics) {
    this.text = text;
    this.openMetrics = openMetrics;
  }

  /**
   * Parses a scraped body, strictly as Prometheus does: it must be valid UTF-8; every sample needs
   * a metric name; one series may appear once; OpenMetrics must end with {@code # EOF} and have
   * nothing after it. {@code contentType} decides between OpenMetrics and 0.0.4.
   *
   * @throws IllegalArgumentException naming the line and the rule broken; nothing of the body is
   *     returned then
   */
  static List<TimeSeries> parse(byte[] body, String contentType, long defaultTs) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("invalid UTF-8 in the exposition: " + e.getMessage());
    }
    return parse(text, contentType, defaultTs);
  }

  /** Parses {@code text}; {@code contentType} decides between OpenMetrics and 0.0.4. */
  static List<TimeSeries> parse(String text, String contentType, long defaultTs) {
    boolean om =
        contentType != null && contentType.toLowerCase(Locale.ROOT).contains("openmetrics");
    return new ExpositionParser(text, om).parse(defaultTs);
  }

  private List<TimeSeries> parse(long defaultTs) {
    List<TimeSeries> out = new ArrayList<>();
    Set<Object> seen = new HashSet<>();
    boolean eof = false;
    int lineNo = 0;
    for (String raw : text.split("\n")) {
      lineNo++;
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.isBlank()) {
        continue;
      }
      try {
        if (eof) {
          throw new IllegalArgumentException("content after # EOF");
        }
        if (openMetrics && line.equals("# EOF")) {
          eof = true;
        } else if (line.startsWith("#")) {
          comment(line);
        } else {
          TimeSeries ts = sample(line, defaultTs);
          // OpenMetrics may give a series several points at distinct timestamps; not one twice
          if (!seen.add(List.of(ts.labels(), ts.timestamp(0)))) {
            throw new IllegalArgumentException(
                "duplicate series " + ts.labels() + " at one timestamp in one scrape");
          }
          out.add(ts);
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "exposition line " + lineNo + " (" + clip(line) + "): " + e.getMessage(), e);
      }
    }
    if (openMetrics && !eof) {
      throw new IllegalArgumentException("OpenMetrics exposition without # EOF at its end");
    }
    return out;
  }

  private void comment(String line) {
    String[] p = line.split(" ", 4);
    if (p.length < 3) {
      return; // "# EOF" or a plain comment
    }
    switch (p[1]) {
      case "TYPE":
        types.put(p[2], type(p.length > 3 ? p[3].trim() : ""));
        break;
      case "HELP":
        helps.put(p[2], p.length > 3 ? unescape(p[3]) : "");
        break;
      case "UNIT":
        units.put(p[2], p.length > 3 ? p[3].trim() : "");
        break;
      default:
        // a plain comment
    }
  }

  private static MetricType type(String t) {
    switch (t) {
      case "counter":
        return MetricType.COUNTER;
      case "gauge":
        return MetricType.GAUGE;
      case "histogram":
        return MetricType.HISTOGRAM;
      case "gaugehistogram":
        return MetricType.GAUGEHISTOGRAM;
      case "summary":
        return MetricType.SUMMARY;
      case "info":
        return MetricType.INFO;
      case "stateset":
        return MetricType.STATESET;
      default:
        return MetricType.UNKNOWN;
    }
  }

  private TimeSeries sample(String line, long defaultTs) {
    int i = 0;
    while (i < line.length()
        && line.charAt(i) != '{'
        && line.charAt(i) != ' '
        && line.charAt(i) != '\t') {
      i++;
    }
    String name = line.substring(0, i);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("sample without a metric name");
    }
    Labels.Builder labels = Labels.builder().add(Labels.METRIC_NAME, name);
    i = labelSet(line, i, labels);
    String rest = line.substring(i).trim();
    String exemplar = null;
    int hash = rest.indexOf(" # "); // OpenMetrics exemplar
    if (hash >= 0) {
      if (!openMetrics) {
        throw new IllegalArgumentException("exemplars are OpenMetrics only");
      }
      exemplar = rest.substring(hash + 3).trim();
      rest = rest.substring(0, hash).trim();
    }
    String[] parts = rest.split("[ \t]+");
    if (parts.length < 1 || parts[0].isEmpty()) {
      throw new IllegalArgumentException("value expected");
    }
    double value = PrometheusApiClient.value(parts[0]);
    long ts = defaultTs;
    if (parts.length > 1) {
      ts = openMetrics ? Math.round(Double.parseDouble(parts[1]) * 1000) : Long.parseLong(parts[1]);
    }
    TimeSeries.Builder b = TimeSeries.builder(labels.build()).sample(ts, value);
    if (exemplar != null) {
      b.exemplar(exemplar(exemplar, ts));
    }
    return b.metadata(metadata(name)).build();
  }

  /** An exemplar: a label set, a value and an optional timestamp in seconds. */
  private static Exemplar exemplar(String text, long sampleTs) {
    if (!text.startsWith("{")) {
      throw new IllegalArgumentException("exemplar must start with a label set");
    }
    Labels.Builder labels = Labels.builder();
    int i = labelSet(text, 0, labels);
    String[] parts = text.substring(i).trim().split("[ \t]+");
    if (parts.length < 1 || parts[0].isEmpty() || parts.length > 2) {
      throw new IllegalArgumentException("exemplar needs a value and at most a timestamp");
    }
    double value = PrometheusApiClient.value(parts[0]);
    long ts = parts.length > 1 ? Math.round(Double.parseDouble(parts[1]) * 1000) : sampleTs;
    return Exemplar.of(labels.build(), value, ts);
  }

  /**
   * Reads a {@code {name="value",...}} label set starting at {@code line[i]} (if there is one) into
   * {@code labels}; returns the index after it.
   */
  private static int labelSet(String line, int i, Labels.Builder labels) {
    if (i >= line.length() || line.charAt(i) != '{') {
      return i;
    }
    i++;
    while (true) {
      while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
        i++;
      }
      if (i >= line.length()) {
        throw new IllegalArgumentException("unterminated label set");
      }
      if (line.charAt(i) == '}') {
        return i + 1;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
        throw new IllegalArgumentException("label=\"value\" expected");
      }
      String label = line.substring(i, eq).trim();
      StringBuilder v = new StringBuilder();
      i = eq + 2;
      while (i < line.length() && line.charAt(i) != '"') {
        char c = line.charAt(i++);
        if (c == '\\' && i < line.length()) {
          char e = line.charAt(i++);
          v.append(e == 'n' ? '\n' : e);
        } else {
          v.append(c);
        }
      }
      if (i >= line.length()) {
        throw new IllegalArgumentException("unterminated label value");
      }
      i++;
      labels.add(label, v.toString());
    }
  }

  private MetricMetadata metadata(String sampleName) {
    String family = sampleName;
    if (!types.containsKey(family) && !helps.containsKey(family)) {
      for (String s : SUFFIXES) {
        if (sampleName.endsWith(s)) {
          String f = sampleName.substring(0, sampleName.length() - s.length());
          if (types.containsKey(f) || helps.containsKey(f)) {
            family = f;
            break;
          }
        }
      }
    }
    MetricType t = types.get(family);
    String help = helps.get(family);
    if (t == null && help == null) {
      return null;
    }
    return MetricMetadata.of(t == null ? MetricType.UNKNOWN : t, help, units.get(family));
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char e = s.charAt(++i);
        sb.append(e == 'n' ? '\n' : e);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String clip(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
