package io.prombeam.pushgateway;

import io.prombeam.model.MetricFamilies;
import io.prombeam.model.MetricMetadata;
import io.prombeam.model.MetricType;
import io.prombeam.model.TimeSeries;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.annotations.Internal;

/**
 * Writes the Prometheus text exposition format 0.0.4: families grouped, one {@code # HELP} and
 * {@code # TYPE} per family, label values and help escaped, no timestamps (the Pushgateway refuses
 * them). Each series contributes its latest sample.
 */
@Internal
public final class TextFormat {
  /** The text exposition format 0.0.4, as the Pushgateway takes it. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private TextFormat() {}

  /** A family: its name, metadata (may be null) and series, in the order first seen. */
  public static final class Family {
    public final String name;
    public final MetricMetadata metadata;

    /** The family's series, in the order rendered. */
    public final List<TimeSeries> series = new ArrayList<>();

    Family(String name, MetricMetadata metadata) {
      this.name = name;
      this.metadata = metadata;
    }

    /** The family's type. */
    public MetricType type() {
      return metadata == null ? MetricType.UNKNOWN : metadata.type();
    }
  }

  /** Groups series into families by family name, keeping first-seen order. */
  public static Map<String, Family> families(Iterable<TimeSeries> series) {
    Map<String, Family> out = new LinkedHashMap<>();
    for (TimeSeries ts : series) {
      MetricType type = ts.metadata() == null ? MetricType.UNKNOWN : ts.metadata().type();
      String family = MetricFamilies.familyName(ts.metricName(), type);
      out.computeIfAbsent(family, f -> new Family(f, ts.metadata())).series.add(ts);
    }
    return out;
  }

  /** The body for these families, each series with its last (latest) sample. */
  public static String write(Iterable<Family> families) {
    StringBuilder sb = new StringBuilder();
    for (Family f : families) {
      if (f.metadata != null && !f.metadata.help().isEmpty()) {
        sb.append("# HELP ").append(f.name).append(' ');
        escapeHelp(f.metadata.help(), sb);
        sb.append('\n');
      }
      sb.append("# TYPE ").append(f.name).append(' ').append(textType(f.type())).append('\n');
      for (TimeSeries ts : f.series) {
        sb.append(ts.metricName());
        boolean first = true;
        for (int i = 0; i < ts.labels().size(); i++) {
          String name = ts.labels().name(i);
          if (name.equals("__name__")) {
            continue;
          }
          sb.append(first ? '{' : ',');
          first = false;
          sb.append(name).append("=\"");
          escapeLabelValue(ts.labels().value(i), sb);
          sb.append('"');
        }
        if (!first) {
          sb.append('}');
        }
        sb.append(' ').append(formatValue(ts.value(ts.sampleCount() - 1))).append('\n');
      }
    }
    return sb.toString();
  }

  /** 0.0.4 knows counter, gauge, histogram, summary and untyped. */
  static String textType(MetricType t) {
    switch (t) {
      case COUNTER:
      case GAUGE:
      case HISTOGRAM:
      case SUMMARY:
        return t.textName();
      case GAUGEHISTOGRAM:
        return "histogram";
      case INFO:
      case STATESET:
        return "gauge";
      default:
        return "untyped";
    }
  }

  static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** Label values: backslash, double quote and line feed are escaped. */
  static void escapeLabelValue(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\':
          sb.append("\\\\");
          break;
        case '"':
          sb.append("\\\"");
          break;
        case '\n':
          sb.append("\\n");
          break;
        default:
          sb.append(c);
      }
    }
  }

  /** HELP text: backslash and line feed are escaped (double quotes are not). */
  static void escapeHelp(String s, StringBuilder sb) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        sb.append("\\\\");
      } else if (c == '\n') {
        sb.append("\\n");
      } else {
        sb.append(c);
      }
    }
  }
}
