package io.prombeam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The public API is what docs/api.md lists: a public type (top level, or nested in a public type)
 * that is not marked Beam {@code @Internal} and not in that list fails the build, as does a listed
 * type that is no longer public. Read from the sources, because {@code @Internal} is not kept at
 * run time.
 */
public class PublicApiTest {
  private static final Pattern TOP =
      Pattern.compile(
          "public\\s+(?:final\\s+|abstract\\s+)*(?:class|interface|enum|@interface)\\s+(\\w+)");
  private static final Pattern NESTED =
      Pattern.compile(
          "  public\\s+(?:static\\s+|final\\s+|abstract\\s+)*(?:class|interface|enum)\\s+(\\w+)");
  private static final Pattern LISTED = Pattern.compile("`(io\\.prombeam\\.[\\w.]+)`");

  private static Path moduleDir() {
    return Path.of(System.getProperty("basedir", "."));
  }

  /** Public, not-internal types found in src/main/java. */
  static Set<String> publicTypes() throws IOException {
    Path root = moduleDir().resolve("src/main/java");
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        if (f.getFileName().toString().equals("package-info.java")) {
          continue;
        }
        String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        String top = null;
        for (int i = 0; i < lines.size() && top == null; i++) {
          Matcher m = TOP.matcher(lines.get(i));
          if (m.lookingAt()) {
            top = internal(lines, i, "") ? "" : m.group(1);
          }
        }
        if (top == null || top.isEmpty()) {
          continue;
        }
        out.add(pkg + "." + top);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = NESTED.matcher(lines.get(i));
          if (m.lookingAt() && !internal(lines, i, "  ")) {
            out.add(pkg + "." + top + "." + m.group(1));
          }
        }
      }
    }
    return out;
  }

  /** Whether the annotations right above line {@code i} include {@code @Internal}. */
  private static boolean internal(List<String> lines, int i, String indent) {
    for (int j = i - 1; j >= 0 && lines.get(j).startsWith(indent + "@"); j--) {
      if (lines.get(j).trim().startsWith("@Internal")) {
        return true;
      }
    }
    return false;
  }

  static Set<String> listedTypes() throws IOException {
    String doc = Files.readString(moduleDir().resolve("../docs/api.md"), StandardCharsets.UTF_8);
    int from = doc.indexOf("<!-- public-types");
    int to = doc.indexOf("<!-- /public-types -->");
    assertTrue("docs/api.md has its public-types section", from >= 0 && to > from);
    Set<String> out = new TreeSet<>();
    Matcher m = LISTED.matcher(doc.substring(from, to));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  public void everyPublicTypeIsListedInDocsApiAndEveryListedTypeIsPublic() throws IOException {
    Set<String> found = publicTypes();
    Set<String> listed = listedTypes();
    Set<String> unlisted = new TreeSet<>(found);
    unlisted.removeAll(listed);
    Set<String> gone = new TreeSet<>(listed);
    gone.removeAll(found);
    assertEquals(
        "public types missing from docs/api.md (list them, or make them package-private or"
            + " @Internal)",
        new ArrayList<String>(),
        new ArrayList<>(unlisted));
    assertEquals(
        "types listed in docs/api.md that are not public",
        new ArrayList<String>(),
        new ArrayList<>(gone));
  }

  @Test
  public void theScanSeesPublicAndInternalTypes() throws IOException {
    Set<String> found = publicTypes();
    assertTrue(found.contains("io.prombeam.PrometheusIO"));
    assertTrue(found.contains("io.prombeam.model.TimeSeries.Builder"));
    assertTrue(
        "@Internal is not public API", !found.contains("io.prombeam.http.RetryingHttpSender"));
    assertTrue("package-private is not", !found.contains("io.prombeam.remotewrite.ShardWriterFn"));
  }
}
