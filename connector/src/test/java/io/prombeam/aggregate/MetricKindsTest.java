package io.prombeam.aggregate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.Test;

/**
 * Each metric kind offers only the options that fit it: a user's code that asks a counter for a
 * gauge reduction, or a gauge for per-window histogram counts, does not compile. Compiled here
 * against the connector, as a user's code would be.
 */
public class MetricKindsTest {
  private static List<Diagnostic<? extends JavaFileObject>> compile(String body)
      throws IOException {
    String source =
        "import io.prombeam.aggregate.*;\n"
            + "class UserCode {\n"
            + "  void pipeline() {\n"
            + body
            + "\n  }\n}\n";
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    JavaFileObject file =
        new SimpleJavaFileObject(
            URI.create("string:///UserCode.java"), JavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source;
          }
        };
    Path out = Files.createTempDirectory("user-code");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    javac
        .getTask(
            null,
            null,
            diagnostics,
            List.of("-classpath", classpath, "-d", out.toString(), "-proc:none"),
            null,
            List.of(file))
        .call();
    return diagnostics.getDiagnostics();
  }

  @Test
  public void eachKindCompilesWithItsOwnOptions() throws IOException {
    assertEquals(
        List.of(),
        compile(
            "PrometheusAggregate.<Double>counter(\"c_total\").withValue(v ->"
                + " v).withCreatedSeries();\n"
                + "PrometheusAggregate.<Double>gauge(\"g\").withReduction(GaugeReduction.MAX);\n"
                + "PrometheusAggregate.<Double>histogram(\"h\", 1,"
                + " 2).withPerWindowCounts().withHelp(\"x\");\n"
                + "PrometheusAggregate.<Double>summary(\"s\", 0.5).withMaxSeriesPerWindow(10);"));
  }

  @Test
  public void anOptionOfAnotherKindDoesNotCompile() throws IOException {
    for (String wrong :
        List.of(
            "PrometheusAggregate.<Double>counter(\"c_total\").withReduction(GaugeReduction.MAX);",
            "PrometheusAggregate.<Double>gauge(\"g\").withPerWindowCounts();",
            "PrometheusAggregate.<Double>histogram(\"h\", 1).withCreatedSeries();",
            "PrometheusAggregate.<Double>summary(\"s\","
                + " 0.5).withHelp(\"x\").withReduction(null);")) {
      List<Diagnostic<? extends JavaFileObject>> errors = compile(wrong);
      assertEquals(wrong, 1, errors.size());
      assertThat(errors.get(0).getMessage(null), containsString("cannot find symbol"));
    }
  }
}
