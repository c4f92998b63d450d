package io.prombeam.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.apache.beam.sdk.annotations.Internal;

/** prombeam's version, read from the resource Maven filters at build time. */
@Internal
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  /** prombeam's version, from the properties file the build writes into the jar. */
  public static String version() {
    return VERSION;
  }

  /** {@code prombeam/<version>}, sent as User-Agent. */
  public static String userAgent() {
    return "prombeam/" + VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/io/prombeam/prombeam.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
