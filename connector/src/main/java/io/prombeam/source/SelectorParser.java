package io.prombeam.source;

import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.annotations.Internal;

/**
 * Parses a PromQL series selector — {@code metric}, {@code metric{a="b"}}, {@code {__name__=~"x.*",
 * job!="y"}} — into remote-read label matchers. Operators {@code = != =~ !~}; values in double or
 * single quotes with backslash escapes.
 */
@Internal
public final class SelectorParser {
  private final String s;
  private int i;

  private SelectorParser(String s) {
    this.s = s;
  }

  /** The matchers of a series selector; a malformed one is refused with what was expected where. */
  public static List<PrometheusRemote.LabelMatcher> parse(String selector) {
    if (selector == null || selector.trim().isEmpty()) {
      throw new IllegalArgumentException("empty series selector");
    }
    return new SelectorParser(selector.trim()).parse();
  }

  private List<PrometheusRemote.LabelMatcher> parse() {
    List<PrometheusRemote.LabelMatcher> out = new ArrayList<>();
    String name = identifier(true);
    if (!name.isEmpty()) {
      out.add(matcher("__name__", PrometheusRemote.LabelMatcher.Type.EQ, name));
    }
    skipSpace();
    if (i < s.length() && s.charAt(i) == '{') {
      i++;
      skipSpace();
      while (i < s.length() && s.charAt(i) != '}') {
        String label = identifier(false);
        if (label.isEmpty()) {
          throw error("label name expected");
        }
        skipSpace();
        PrometheusRemote.LabelMatcher.Type type = operator();
        skipSpace();
        out.add(matcher(label, type, string()));
        skipSpace();
        if (i < s.length() && s.charAt(i) == ',') {
          i++;
          skipSpace();
        } else if (i >= s.length() || s.charAt(i) != '}') {
          throw error("',' or '}' expected");
        }
      }
      if (i >= s.length()) {
        throw error("'}' expected");
      }
      i++;
    }
    skipSpace();
    if (i != s.length()) {
      throw error("unexpected text");
    }
    if (out.isEmpty()) {
      throw error("a selector needs a metric name or at least one matcher");
    }
    return out;
  }

  private static PrometheusRemote.LabelMatcher matcher(
      String name, PrometheusRemote.LabelMatcher.Type type, String value) {
    return PrometheusRemote.LabelMatcher.newBuilder()
        .setName(name)
        .setType(type)
        .setValue(value)
        .build();
  }

  private String identifier(boolean metric) {
    int start = i;
    while (i < s.length()) {
      char c = s.charAt(i);
      boolean ok =
          Character.isLetter(c) && c < 128
              || c == '_'
              || (metric && c == ':')
              || (i > start && c >= '0' && c <= '9');
      if (!ok) {
        break;
      }
      i++;
    }
    return s.substring(start, i);
  }

  private PrometheusRemote.LabelMatcher.Type operator() {
    if (s.startsWith("=~", i)) {
      i += 2;
      return PrometheusRemote.LabelMatcher.Type.RE;
    }
    if (s.startsWith("!~", i)) {
      i += 2;
      return PrometheusRemote.LabelMatcher.Type.NRE;
    }
    if (s.startsWith("!=", i)) {
      i += 2;
      return PrometheusRemote.LabelMatcher.Type.NEQ;
    }
    if (s.startsWith("=", i)) {
      i += 1;
      return PrometheusRemote.LabelMatcher.Type.EQ;
    }
    throw error("one of = != =~ !~ expected");
  }

  private String string() {
    if (i >= s.length() || (s.charAt(i) != '"' && s.charAt(i) != '\'')) {
      throw error("quoted value expected");
    }
    char quote = s.charAt(i++);
    StringBuilder sb = new StringBuilder();
    while (i < s.length() && s.charAt(i) != quote) {
      char c = s.charAt(i++);
      if (c == '\\' && i < s.length()) {
        char e = s.charAt(i++);
        sb.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      } else {
        sb.append(c);
      }
    }
    if (i >= s.length()) {
      throw error("unterminated string");
    }
    i++;
    return sb.toString();
  }

  private void skipSpace() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(
        "bad series selector " + s + " at position " + i + ": " + what);
  }
}
