package io.prombeam.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.rules.ExternalResource;

/**
 * A real server process on a free loopback port, in its own temporary directory: started before the
 * tests of a class, waited for until its readiness URL answers 200, stopped and cleaned up after.
 * Its output goes to a log file whose tail is shown when it fails to start.
 */
abstract class ServerProcess extends ExternalResource {
  protected OkHttpClient http =
      new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();

  /** TLS and basic auth through {@code --web.config.file}, or null for plain HTTP. */
  protected WebSecurity security;

  protected Path dir;
  protected int port;
  private Process process;
  private Path log;

  /** The command line, given the port and directory. */
  protected abstract List<String> command() throws IOException;

  protected abstract String readinessPath();

  protected abstract String name();

  /**
   * Serves HTTPS with basic auth (the exporter-toolkit web config both Prometheus and the
   * Pushgateway read); this harness then talks to it as an authenticated client.
   */
  @SuppressWarnings("unchecked")
  <S extends ServerProcess> S withWebSecurity(WebSecurity security) {
    this.security = security;
    this.http = security.client(true);
    return (S) this;
  }

  /**
   * {@code --web.config.file=...} when secured, else nothing: subclasses add it to their command.
   */
  protected List<String> webConfigArgs() throws IOException {
    return security == null ? List.of() : List.of("--web.config.file=" + security.writeTo(dir));
  }

  @Override
  protected void before() throws Throwable {
    dir = Files.createTempDirectory("prombeam-it-" + name());
    port = ServerBinaries.freePort();
    start();
  }

  protected void start() throws IOException, InterruptedException {
    log = dir.resolve(name() + ".log");
    process =
        new ProcessBuilder(command())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name() + " exited with " + process.exitValue() + ":\n" + logTail());
      }
      try (Response r =
          http.newCall(new Request.Builder().url(baseUrl() + readinessPath()).build()).execute()) {
        if (r.code() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name() + " not ready within 60 s:\n" + logTail());
  }

  /** Stops the process, keeping its directory (and data). */
  void stopProcess() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  @Override
  protected void after() {
    try {
      stopProcess();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(dir);
  }

  String baseUrl() {
    return (security == null ? "http" : "https") + "://127.0.0.1:" + port;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void deleteTree(Path root) {
    if (root == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
