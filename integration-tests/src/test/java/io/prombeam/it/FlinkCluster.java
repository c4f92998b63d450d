package io.prombeam.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.rules.ExternalResource;

/**
 * A standalone Flink 1.19 session cluster from the Maven jars: a JobManager and a TaskManager as
 * separate JVMs ({@code StandaloneSessionClusterEntrypoint}, {@code TaskManagerRunner}), configured
 * by a {@code flink-conf.yaml} this class writes. Without Flink's shell scripts nothing derives the
 * TaskManager's memory, so every component is set explicitly, and the JVM flags the scripts would
 * pass for Java 17 are passed here.
 *
 * <p>The cluster's classpath is Flink and its dependencies only ({@code
 * target/flink-cluster-classpath.txt}, written by the build without Beam or prombeam): the job
 * brings those in its bundled jar, as on a real cluster.
 */
final class FlinkCluster extends ExternalResource {
  static final List<String> JAVA17_FLAGS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
          "--add-opens=java.base/java.math=ALL-UNNAMED");

  private final OkHttpClient http =
      new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private final ObjectMapper json = new ObjectMapper();
  private Path dir;
  private int restPort;
  private Process jobManager;
  private Process taskManager;
  private int taskManagersStarted;

  @Override
  protected void before() throws Throwable {
    dir = Files.createTempDirectory("prombeam-it-flink");
    restPort = ServerBinaries.freePort();
    Files.writeString(
        dir.resolve("flink-conf.yaml"),
        String.join(
            "\n",
            "jobmanager.rpc.address: 127.0.0.1",
            "jobmanager.rpc.port: " + ServerBinaries.freePort(),
            "jobmanager.bind-host: 127.0.0.1",
            "jobmanager.memory.process.size: 1024m",
            "rest.address: 127.0.0.1",
            "rest.bind-address: 127.0.0.1",
            "rest.port: " + restPort,
            "blob.server.port: " + ServerBinaries.freePort(),
            "taskmanager.host: 127.0.0.1",
            "taskmanager.bind-host: 127.0.0.1",
            "taskmanager.numberOfTaskSlots: 2",
            "taskmanager.cpu.cores: 2",
            "taskmanager.memory.framework.heap.size: 128m",
            "taskmanager.memory.framework.off-heap.size: 128m",
            "taskmanager.memory.task.heap.size: 512m",
            "taskmanager.memory.task.off-heap.size: 0m",
            "taskmanager.memory.managed.size: 64m",
            "taskmanager.memory.network.min: 64m",
            "taskmanager.memory.network.max: 64m",
            "taskmanager.memory.jvm-metaspace.size: 256m",
            "taskmanager.memory.jvm-overhead.min: 192m",
            "taskmanager.memory.jvm-overhead.max: 192m",
            // notice a killed TaskManager within seconds, not the default 50 s
            "heartbeat.interval: 1000",
            "heartbeat.timeout: 6000",
            "restart-strategy.type: fixed-delay",
            "restart-strategy.fixed-delay.attempts: 20",
            "restart-strategy.fixed-delay.delay: 2 s",
            "state.checkpoints.dir: file://" + dir.resolve("checkpoints"),
            ""),
        StandardCharsets.UTF_8);
    jobManager =
        start(
            "jobmanager",
            List.of("-Xmx512m"),
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    awaitOverview("JobManager REST API", o -> true);
    startTaskManager(true);
  }

  private Process start(String name, List<String> jvmFlags, String mainClass) throws IOException {
    Path classpathFile = Path.of("target", "flink-cluster-classpath.txt");
    if (!Files.exists(classpathFile)) {
      throw new IllegalStateException(
          classpathFile.toAbsolutePath() + " is missing (the integration-tests build writes it)");
    }
    String classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JAVA17_FLAGS);
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", classpath, mainClass, "--configDir", dir.toString()));
    File log = dir.resolve(name + ".log").toFile();
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .start();
  }

  /**
   * Starts a TaskManager JVM sized like the memory configuration; waits until it has registered
   * with free slots when {@code awaitFreeSlots} (a restarting job may take them at once otherwise).
   */
  void startTaskManager(boolean awaitFreeSlots) throws IOException, InterruptedException {
    taskManagersStarted++;
    taskManager =
        start(
            "taskmanager-" + taskManagersStarted,
            // heap = framework + task heap; direct = framework + task off-heap + network
            List.of(
                "-Xmx640m",
                "-Xms640m",
                "-XX:MaxDirectMemorySize=192m",
                "-XX:MaxMetaspaceSize=256m"),
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
    if (awaitFreeSlots) {
      awaitOverview(
          "a TaskManager with 2 free slots",
          o -> o.path("taskmanagers").asInt() == 1 && o.path("slots-available").asInt() >= 2);
    }
  }

  /** SIGKILLs the TaskManager: no shutdown hooks, no clean deregistration — a crashed machine. */
  void killTaskManager() throws InterruptedException {
    taskManager.destroyForcibly();
    taskManager.waitFor(30, TimeUnit.SECONDS);
  }

  String master() {
    return "127.0.0.1:" + restPort;
  }

  JsonNode get(String path) throws IOException {
    try (Response r =
        http.newCall(new Request.Builder().url("http://127.0.0.1:" + restPort + path).build())
            .execute()) {
      if (r.code() != 200) {
        throw new IOException("GET " + path + ": HTTP " + r.code());
      }
      return json.readTree(r.body().string());
    }
  }

  private void awaitOverview(String what, java.util.function.Predicate<JsonNode> ready)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!jobManager.isAlive()) {
        throw new IllegalStateException("JobManager exited:\n" + logTail("jobmanager"));
      }
      try {
        if (ready.test(get("/overview"))) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "Flink cluster: no "
            + what
            + " within 90 s:\n"
            + logTail("jobmanager")
            + "\n"
            + logTail("taskmanager-" + taskManagersStarted));
  }

  String logTail(String name) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
      return "--- "
          + name
          + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no " + name + " log: " + e + ")";
    }
  }

  Path dir() {
    return dir;
  }

  @Override
  protected void after() {
    for (Process p : new Process[] {taskManager, jobManager}) {
      if (p != null) {
        p.destroyForcibly();
        try {
          p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
